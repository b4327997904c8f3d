/*
 * The PostgreSQL stderr reader's commonest step in C: quick_row, exactly as
 * dbexpert.sources.logs._pg_events.quick_row (see there) — the row of a "duration: N ms  statement:
 * S" (or "execute ...: S") message, an empty tuple for the duration of a parse or bind step, None
 * for any other message. Timestamps go through the Python parse_timestamp (it caches by second).
 * A test compares both on generated and random messages.
 *
 * lane() runs postgres_stderr.text_items' loop over the block regex's entries for as long as each
 * is a message (with the tab-led lines continuing it) and the message before it a query row
 * quick_row makes; it stops, leaving the entry to the Python loop, at anything else (a DETAIL to
 * attach, a line that is no message, a message that needs the interpreter).
 *
 * Optional: when no C compiler is present at install time, the Python code runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *parse_timestamp = NULL; /* dbexpert.sources.logs._pg_time.parse_timestamp */
static PyObject *MS = NULL, *COLON = NULL, *PARSE = NULL, *BIND = NULL, *ZERO = NULL, *DURATION = NULL, *NEWLINE_TAB = NULL,
                *NEWLINE = NULL;

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

/* ``a or b`` */
static PyObject *either(PyObject *a, PyObject *b) {
    int truth = PyObject_IsTrue(a);
    if (truth < 0)
        return NULL;
    return truth ? a : b; /* borrowed */
}

/* lane(entries, i, number, waiting, waiting_at, rows, context) -> (i, number, waiting, waiting_at)
 * context: (path, picks, severity_at, continued_at, secondary, statements, plans, waits), where
 * picks are the entry indexes of the message's fields in the reader's order (severity, message,
 * timestamp, epoch, pid, session, user, database, application, client, xid, vxid, queryid). The
 * rows of the messages it completes are appended to ``rows``. */
static PyObject *lane(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 7 || !PyList_Check(args[0]) || !PyList_Check(args[5]) || !PyTuple_Check(args[6]) ||
        PyTuple_GET_SIZE(args[6]) != 8) {
        PyErr_SetString(PyExc_TypeError, "lane(entries, i, number, waiting, waiting_at, rows, context)");
        return NULL;
    }
    PyObject *entries = args[0], *rows = args[5], *context = args[6];
    Py_ssize_t i = PyLong_AsSsize_t(args[1]), number = PyLong_AsSsize_t(args[2]);
    Py_ssize_t waiting_at = PyLong_AsSsize_t(args[4]);
    if (PyErr_Occurred())
        return NULL;
    PyObject *path = PyTuple_GET_ITEM(context, 0), *picks = PyTuple_GET_ITEM(context, 1);
    Py_ssize_t severity_at = PyLong_AsSsize_t(PyTuple_GET_ITEM(context, 2));
    Py_ssize_t continued_at = PyLong_AsSsize_t(PyTuple_GET_ITEM(context, 3));
    PyObject *secondary = PyTuple_GET_ITEM(context, 4);
    PyObject *pending[3] = {PyTuple_GET_ITEM(context, 5), PyTuple_GET_ITEM(context, 6), PyTuple_GET_ITEM(context, 7)};
    if (PyErr_Occurred())
        return NULL;
    if (!PyTuple_Check(picks) || PyTuple_GET_SIZE(picks) != 13) {
        PyErr_SetString(PyExc_TypeError, "lane(): 13 picks");
        return NULL;
    }
    Py_ssize_t at[13];
    for (int k = 0; k < 13; k++)
        if ((at[k] = PyLong_AsSsize_t(PyTuple_GET_ITEM(picks, k))) < 0 && PyErr_Occurred())
            return NULL;
    PyObject *waiting = Py_NewRef(args[3]);
    Py_ssize_t n = PyList_GET_SIZE(entries);
    for (; i < n; i++) {
        PyObject *entry = PyList_GET_ITEM(entries, i);
        if (!PyTuple_Check(entry))
            break;
        PyObject *severity = PyTuple_GET_ITEM(entry, severity_at);
        if (PyUnicode_GET_LENGTH(severity) == 0)
            break; /* no message line */
        if (waiting != Py_None) {
            int attached = PySet_Contains(secondary, severity);
            if (attached != 0) {
                if (attached < 0)
                    goto error;
                break; /* a DETAIL... for the message before */
            }
            /* the message before is complete: its row, if quick_row makes one */
            PyObject *message = PyTuple_GET_ITEM(waiting, 1);
            if (!PyUnicode_Check(message) || PyUnicode_Tailmatch(message, DURATION, 0, PY_SSIZE_T_MAX, -1) != 1)
                break;
            PyObject *key = either(PyTuple_GET_ITEM(waiting, 5), PyTuple_GET_ITEM(waiting, 4));
            if (key == NULL || (key = either(key, Py_None)) == NULL)
                goto error;
            int held = 0;
            for (int k = 0; k < 3 && !held; k++)
                if ((held = PyDict_Contains(pending[k], key)) < 0)
                    goto error;
            if (held)
                break;
            PyObject *stamp = either(PyTuple_GET_ITEM(waiting, 2), PyTuple_GET_ITEM(waiting, 3));
            PyObject *xid = PyTuple_GET_ITEM(waiting, 10);
            int truth = PyObject_IsTrue(xid);
            if (stamp == NULL || truth < 0)
                goto error;
            int zero = truth && PyUnicode_Check(xid) && PyUnicode_Compare(xid, ZERO) == 0;
            if (PyErr_Occurred())
                goto error;
            PyObject *transaction = truth && !zero ? xid : PyTuple_GET_ITEM(waiting, 11);
            PyObject *names = PyTuple_Pack(4, PyTuple_GET_ITEM(waiting, 7), PyTuple_GET_ITEM(waiting, 6),
                                           PyTuple_GET_ITEM(waiting, 8), PyTuple_GET_ITEM(waiting, 9));
            PyObject *line = PyLong_FromSsize_t(waiting_at);
            if (names == NULL || line == NULL) {
                Py_XDECREF(names);
                Py_XDECREF(line);
                goto error;
            }
            PyObject *call[8] = {path, line, message, stamp, key, transaction, names, PyTuple_GET_ITEM(waiting, 12)};
            PyObject *row = quick_row(module, call, 8);
            Py_DECREF(names);
            Py_DECREF(line);
            if (row == NULL)
                goto error;
            if (row == Py_None) {
                Py_DECREF(row);
                break; /* the interpreter reads it */
            }
            int added = PyTuple_GET_SIZE(row) ? PyList_Append(rows, row) : 0;
            Py_DECREF(row);
            if (added < 0)
                goto error;
        }
        /* this line's message waits for what follows it, with the tab-led lines continuing it
         * joined as the Python loop joins them ("\n".join of the message and each line) */
        PyObject *text = PyTuple_GET_ITEM(entry, at[1]), *continued = PyTuple_GET_ITEM(entry, continued_at);
        Py_ssize_t more = 0;
        if (PyUnicode_GET_LENGTH(continued)) {
            more = PyUnicode_Count(continued, NEWLINE_TAB, 0, PY_SSIZE_T_MAX);
            PyObject *lines = more < 0 ? NULL : PyUnicode_Replace(continued, NEWLINE_TAB, NEWLINE, -1);
            text = lines == NULL ? NULL : PyUnicode_Concat(text, lines);
            Py_XDECREF(lines);
            if (text == NULL)
                goto error;
        } else
            Py_INCREF(text);
        PyObject *picked = PyTuple_New(13);
        if (picked == NULL) {
            Py_DECREF(text);
            goto error;
        }
        for (int k = 0; k < 13; k++)
            PyTuple_SET_ITEM(picked, k, k == 1 ? text : Py_NewRef(PyTuple_GET_ITEM(entry, at[k])));
        Py_SETREF(waiting, picked);
        number++;
        waiting_at = number;
        number += more;
    }
    return Py_BuildValue("(nnNn)", i, number, waiting, waiting_at);
error:
    Py_DECREF(waiting);
    return NULL;
}

static PyMethodDef methods[] = {
    {"quick_row", (PyCFunction)(void (*)(void))quick_row, METH_FASTCALL,
     "quick_row(path, line, message, timestamp, session, transaction, names, queryid): as "
     "dbexpert.sources.logs._pg_events.quick_row."},
    {"lane", (PyCFunction)(void (*)(void))lane, METH_FASTCALL,
     "lane(entries, i, number, waiting, waiting_at, rows, context): the reader's loop while lines are "
     "plain query messages."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_rows", NULL, 0, methods};

PyMODINIT_FUNC PyInit__rows(void) {
    MS = PyUnicode_InternFromString(" ms");
    COLON = PyUnicode_InternFromString(": ");
    PARSE = PyUnicode_InternFromString("parse ");
    BIND = PyUnicode_InternFromString("bind ");
    ZERO = PyUnicode_InternFromString("0");
    DURATION = PyUnicode_InternFromString("duration: ");
    NEWLINE_TAB = PyUnicode_InternFromString("\n\t");
    NEWLINE = PyUnicode_InternFromString("\n");
    if (NEWLINE_TAB == NULL || NEWLINE == NULL || DURATION == NULL || MS == NULL || COLON == NULL || PARSE == NULL || BIND == NULL || ZERO == NULL)
        return NULL;
    return PyModule_Create(&module);
}
