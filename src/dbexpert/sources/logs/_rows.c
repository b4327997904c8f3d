/*
 * The PostgreSQL stderr reader's commonest step in C: quick_row, exactly as
 * dbexpert.sources.logs._pg_events.quick_row (see there) — the row of a "duration: N ms  statement:
 * S" (or "execute ...: S") message, an empty tuple for the duration of a parse or bind step, None
 * for any other message. Timestamps go through the Python parse_timestamp (it caches by second).
 * A test compares both on generated and random messages.
 *
 * Optional: when no C compiler is present at install time, the Python function runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *parse_timestamp = NULL; /* dbexpert.sources.logs._pg_time.parse_timestamp */
static PyObject *MS = NULL, *COLON = NULL, *PARSE = NULL, *BIND = NULL, *ZERO = NULL;

static int is_number(PyObject *message, Py_ssize_t start, Py_ssize_t end) {
    PyObject *text = PyUnicode_Substring(message, start, end);
    if (text == NULL)
        return -1;
    PyObject *value = PyFloat_FromString(text);
    Py_DECREF(text);
    if (value != NULL) {
        Py_DECREF(value);
        return 1;
    }
    if (PyErr_ExceptionMatches(PyExc_ValueError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

/* ``value or None`` */
static PyObject *or_none(PyObject *value) {
    int truth = PyObject_IsTrue(value);
    if (truth < 0)
        return NULL;
    return Py_NewRef(truth ? value : Py_None);
}

static PyObject *quick_row(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "quick_row() takes 8 arguments");
        return NULL;
    }
    PyObject *path = args[0], *line = args[1], *message = args[2], *timestamp = args[3], *session = args[4],
             *transaction = args[5], *names = args[6], *queryid = args[7];
    if (!PyUnicode_Check(message) || !PyTuple_Check(names) || PyTuple_GET_SIZE(names) != 4) {
        PyErr_SetString(PyExc_TypeError, "quick_row(): message must be a str and names a 4-tuple");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(message);
    Py_ssize_t end = PyUnicode_Find(message, MS, 10, n, 1);
    if (end == -2)
        return NULL;
    if (end < 0)
        Py_RETURN_NONE;
    Py_ssize_t rest = end + 3;
    while (rest < n && PyUnicode_READ_CHAR(message, rest) == ' ')
        rest++;
    if (rest >= n)
        Py_RETURN_NONE;
    Py_UCS4 first = PyUnicode_READ_CHAR(message, rest);
    if (first == 'p' || first == 'b') {
        Py_ssize_t parse = PyUnicode_Tailmatch(message, PARSE, rest, n, -1);
        Py_ssize_t bind = parse == 1 ? 0 : PyUnicode_Tailmatch(message, BIND, rest, n, -1);
        if (parse < 0 || bind < 0)
            return NULL;
        if (parse || bind) {
            int number = is_number(message, 10, end);
            if (number < 0)
                return NULL;
            if (number)
                return PyTuple_New(0);
        }
        Py_RETURN_NONE;
    }
    Py_ssize_t colon = PyUnicode_Find(message, COLON, rest, n, 1);
    if (colon == -2)
        return NULL;
    if (colon < 0)
        Py_RETURN_NONE;
    PyObject *text = PyUnicode_Substring(message, 10, end);
    if (text == NULL)
        return NULL;
    PyObject *duration = PyFloat_FromString(text);
    Py_DECREF(text);
    if (duration == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_ValueError))
            return NULL;
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if (parse_timestamp == NULL) {
        PyObject *times = PyImport_ImportModule("dbexpert.sources.logs._pg_time");
        if (times == NULL) {
            Py_DECREF(duration);
            return NULL;
        }
        parse_timestamp = PyObject_GetAttrString(times, "parse_timestamp");
        Py_DECREF(times);
        if (parse_timestamp == NULL) {
            Py_DECREF(duration);
            return NULL;
        }
    }
    PyObject *row = PyTuple_New(14);
    if (row == NULL) {
        Py_DECREF(duration);
        return NULL;
    }
    /* Filled in order; on an error the tuple (holding what was set) is released whole. */
    PyObject *item;
    if ((item = PyUnicode_Substring(message, colon + 2, n)) == NULL)
        goto fail;
    PyTuple_SET_ITEM(row, 0, item);
    PyTuple_SET_ITEM(row, 1, Py_NewRef(path));
    PyTuple_SET_ITEM(row, 2, Py_NewRef(line));
    if ((item = PyObject_CallOneArg(parse_timestamp, timestamp)) == NULL) {
        Py_DECREF(duration);
        goto fail;
    }
    PyTuple_SET_ITEM(row, 3, item);
    PyTuple_SET_ITEM(row, 4, duration);
    for (int i = 0; i < 4; i++) {
        if ((item = or_none(PyTuple_GET_ITEM(names, i))) == NULL)
            goto fail;
        PyTuple_SET_ITEM(row, 5 + i, item);
    }
    PyTuple_SET_ITEM(row, 9, Py_NewRef(session));
    if ((item = or_none(transaction)) == NULL)
        goto fail;
    PyTuple_SET_ITEM(row, 10, item);
    PyTuple_SET_ITEM(row, 11, PyTuple_New(0));
    PyTuple_SET_ITEM(row, 12, Py_NewRef(Py_None));
    int truth = PyObject_IsTrue(queryid);
    if (truth < 0)
        goto fail;
    int zero = 0;
    if (truth && PyUnicode_Check(queryid)) {
        zero = PyUnicode_Compare(queryid, ZERO) == 0;
        if (PyErr_Occurred())
            goto fail;
    }
    PyTuple_SET_ITEM(row, 13, Py_NewRef(truth && !zero ? queryid : Py_None));
    return row;
fail:
    Py_DECREF(row);
    return NULL;
}

static PyMethodDef methods[] = {
    {"quick_row", (PyCFunction)(void (*)(void))quick_row, METH_FASTCALL,
     "quick_row(path, line, message, timestamp, session, transaction, names, queryid): as "
     "dbexpert.sources.logs._pg_events.quick_row."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_rows", NULL, 0, methods};

PyMODINIT_FUNC PyInit__rows(void) {
    MS = PyUnicode_InternFromString(" ms");
    COLON = PyUnicode_InternFromString(": ");
    PARSE = PyUnicode_InternFromString("parse ");
    BIND = PyUnicode_InternFromString("bind ");
    ZERO = PyUnicode_InternFromString("0");
    if (MS == NULL || COLON == NULL || PARSE == NULL || BIND == NULL || ZERO == NULL)
        return NULL;
    return PyModule_Create(&module);
}
