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
 * entries() splits a block of whole lines as the block regex's findall does (the same tuples), for
 * prefixes whose escapes it knows: it follows the regex's first choice at each step (a lazy field
 * ends at the first occurrence of the literal after it, a greedy one takes all it can) and, where
 * that path does not reach the end of the line's message, asks the regex itself for that line (the
 * regex tries its other choices then). A line the C path does match is thus matched as the regex
 * matches it. Character classes are Python's for str patterns (\d, \w, \s: Unicode).
 *
 * Optional: when no C compiler is present at install time, the Python code runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "../../_classes.h"

static PyObject *parse_timestamp = NULL; /* dbexpert.sources.logs._pg_time.parse_timestamp */
static PyObject *MS = NULL, *COLON = NULL, *PARSE = NULL, *BIND = NULL, *ZERO = NULL, *DURATION = NULL, *NEWLINE_TAB = NULL,
                *NEWLINE = NULL, *LOCAL = NULL;

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

/* The session key of ``waiting`` (session, else pid, else None) in *key (borrowed): 1 when the
 * interpreter holds nothing for that session (no statement awaiting its duration, plan or lock
 * wait), 0 when it does, -1 on error. */
static int idle_session(PyObject *waiting, PyObject *const *pending, PyObject **key) {
    *key = either(PyTuple_GET_ITEM(waiting, 5), PyTuple_GET_ITEM(waiting, 4));
    if (*key == NULL || (*key = either(*key, Py_None)) == NULL)
        return -1;
    for (int k = 0; k < 3; k++) {
        int held = PyDict_Contains(pending[k], *key);
        if (held)
            return held < 0 ? -1 : 0;
    }
    return 1;
}

/* A message of severity LOG with nothing attached, whose session holds nothing and which is no
 * statement or lock wait (connections, checkpoints, temporary files, autovacuum...): the event
 * quick_log makes of it (what the interpreter would) appended to ``rows``: 1; 0 when the
 * interpreter must read the message (quick_log gives None), -1 on error. */
static int log_event(PyObject *waiting, Py_ssize_t waiting_at, PyObject *path, PyObject *const *pending,
                            PyObject *quick_log, PyObject *rows) {
    PyObject *severity = PyTuple_GET_ITEM(waiting, 0), *message = PyTuple_GET_ITEM(waiting, 1);
    if (PyUnicode_GET_LENGTH(message) == 0 || !PyUnicode_Check(severity))
        return 0;
    Py_UCS4 first = PyUnicode_READ_CHAR(message, 0);
    if (first == 's' || first == 'e' || first == 'p') /* "statement: ", "execute ", "process ": not here */
        return 0;
    if (PyUnicode_CompareWithASCIIString(severity, "LOG") != 0)
        return 0;
    PyObject *key;
    int idle = idle_session(waiting, pending, &key);
    if (idle <= 0)
        return idle;
    PyObject *stamp = either(PyTuple_GET_ITEM(waiting, 2), PyTuple_GET_ITEM(waiting, 3));
    PyObject *line = stamp == NULL ? NULL : PyLong_FromSsize_t(waiting_at);
    if (line == NULL)
        return -1;
    PyObject *call[8] = {path, line, severity, message, stamp, key, PyTuple_GET_ITEM(waiting, 7), PyTuple_GET_ITEM(waiting, 6)};
    PyObject *event = PyObject_Vectorcall(quick_log, call, 8, NULL);
    Py_DECREF(line);
    if (event == NULL)
        return -1;
    int added = event == Py_None ? 0 : PyList_Append(rows, event) < 0 ? -1 : 1;
    Py_DECREF(event);
    return added;
}

/* The row of the message ``waiting`` (fields in the reader's order) from line ``waiting_at``, with
 * ``detail`` (a DETAIL's text, or NULL) read by ``parameters``, appended to ``rows`` when quick_row
 * makes one: 1 when it was read (a row appended, or a parse/bind step that gives none), 0 when the
 * interpreter must read it, -1 on error. */
static int waiting_row(PyObject *module, PyObject *waiting, Py_ssize_t waiting_at, PyObject *path,
                       PyObject *const *pending, PyObject *detail, PyObject *parameters, PyObject *quick_log,
                       PyObject *rows) {
    PyObject *message = PyTuple_GET_ITEM(waiting, 1);
    if (!PyUnicode_Check(message))
        return 0;
    if (PyUnicode_Tailmatch(message, DURATION, 0, PY_SSIZE_T_MAX, -1) != 1)
        return detail == NULL ? log_event(waiting, waiting_at, path, pending, quick_log, rows) : 0;
    PyObject *key;
    int idle = idle_session(waiting, pending, &key);
    if (idle <= 0)
        return idle;
    PyObject *stamp = either(PyTuple_GET_ITEM(waiting, 2), PyTuple_GET_ITEM(waiting, 3));
    PyObject *xid = PyTuple_GET_ITEM(waiting, 10);
    int truth = PyObject_IsTrue(xid);
    if (stamp == NULL || truth < 0)
        return -1;
    int zero = truth && PyUnicode_Check(xid) && PyUnicode_Compare(xid, ZERO) == 0;
    if (PyErr_Occurred())
        return -1;
    PyObject *transaction = truth && !zero ? xid : PyTuple_GET_ITEM(waiting, 11);
    PyObject *names = PyTuple_Pack(4, PyTuple_GET_ITEM(waiting, 7), PyTuple_GET_ITEM(waiting, 6),
                                   PyTuple_GET_ITEM(waiting, 8), PyTuple_GET_ITEM(waiting, 9));
    PyObject *line = PyLong_FromSsize_t(waiting_at);
    if (names == NULL || line == NULL) {
        Py_XDECREF(names);
        Py_XDECREF(line);
        return -1;
    }
    PyObject *call[8] = {path, line, message, stamp, key, transaction, names, PyTuple_GET_ITEM(waiting, 12)};
    PyObject *row = quick_row(module, call, 8);
    Py_DECREF(names);
    Py_DECREF(line);
    if (row == NULL)
        return -1;
    if (row == Py_None) {
        Py_DECREF(row);
        return 0;
    }
    if (detail != NULL && PyTuple_GET_SIZE(row) == 14 && PyUnicode_GET_LENGTH(detail)) {
        /* the row is new (refcount 1): its parameters are set in place, as _query reads them */
        PyObject *values = PyObject_CallOneArg(parameters, detail);
        if (values == NULL) {
            Py_DECREF(row);
            return -1;
        }
        Py_SETREF(((PyTupleObject *)row)->ob_item[11], values);
    }
    int added = PyTuple_GET_SIZE(row) ? PyList_Append(rows, row) : 0;
    Py_DECREF(row);
    return added < 0 ? -1 : 1;
}

/* Whether ``entry`` is a message line whose severity attaches nothing to the message before it. */
static int plain_message(PyObject *entry, Py_ssize_t severity_at, PyObject *secondary) {
    if (!PyTuple_Check(entry))
        return 0;
    PyObject *severity = PyTuple_GET_ITEM(entry, severity_at);
    if (PyUnicode_GET_LENGTH(severity) == 0)
        return 0;
    int attached = PySet_Contains(secondary, severity);
    return attached < 0 ? -1 : !attached;
}

/* lane(entries, i, number, waiting, waiting_at, rows, context) -> (i, number, waiting, waiting_at)
 * context: (path, picks, severity_at, continued_at, secondary, statements, plans, waits, parameters,
 * quick_log),
 * where picks are the entry indexes of the message's fields in the reader's order (severity,
 * message, timestamp, epoch, pid, session, user, database, application, client, xid, vxid,
 * queryid), parameters is _pg_events.parameters and quick_log _pg_events.quick_log. The rows of the
 * messages it completes (and the events of plain LOG lines, see log_event) are appended to
 * ``rows``. A DETAIL line is read here when it is the only line attached to a query
 * message (the next entry is a message of its own): as the interpreter would, its parameters go
 * to the row (and a parse or bind step gives no row). */
static PyObject *lane(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 7 || !PyList_Check(args[0]) || !PyList_Check(args[5]) || !PyTuple_Check(args[6]) ||
        PyTuple_GET_SIZE(args[6]) != 10) {
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
    PyObject *parameters = PyTuple_GET_ITEM(context, 8), *quick_log = PyTuple_GET_ITEM(context, 9);
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
            if (attached < 0)
                goto error;
            PyObject *detail = NULL;
            if (attached) { /* a DETAIL... for the message before */
                if (PyUnicode_CompareWithASCIIString(severity, "DETAIL") != 0 || i + 1 >= n ||
                    PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(entry, continued_at)))
                    break;
                int alone = plain_message(PyList_GET_ITEM(entries, i + 1), severity_at, secondary);
                if (alone <= 0) {
                    if (alone < 0)
                        goto error;
                    break;
                }
                int same = PyUnicode_Compare(PyTuple_GET_ITEM(entry, at[4]), PyTuple_GET_ITEM(waiting, 4));
                if (same != 0) {
                    if (PyErr_Occurred())
                        goto error;
                    break; /* another process's: the Python loop reports it */
                }
                detail = PyTuple_GET_ITEM(entry, at[1]);
            }
            int read = waiting_row(module, waiting, waiting_at, path, pending, detail, parameters, quick_log, rows);
            if (read <= 0) {
                if (read < 0)
                    goto error;
                break; /* the interpreter reads it */
            }
            if (detail != NULL) { /* the DETAIL line is read: the next entry is a message */
                Py_SETREF(waiting, Py_NewRef(Py_None));
                number++;
                continue;
            }
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

/* ---- entries(): the block regex's findall, its commonest path in C ---------------------------- */

enum { LIT, LAZY_LINE, LAZY_NOSPACE, DIGITS_PLUS, DIGITS_STAR, SIGNED, STAMP, MILLIS, EPOCH, SQLSTATE, SESSION, VXID, CLIENT };

typedef struct {
    int unicode_kind;
    const void *data;
    Py_ssize_t end; /* the line feed ending the line: no class below matches it */
} Line;

#define AT(l, i) PyUnicode_READ((l)->unicode_kind, (l)->data, (i))

static int is_ascii_letter(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_lower_hex(Py_UCS4 c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/* The length of ``literal`` when it is at ``p``, else -1. */
static Py_ssize_t literal_at(const Line *l, Py_ssize_t p, PyObject *literal) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(literal);
    if (p + n > l->end)
        return -1;
    int k = PyUnicode_KIND(literal);
    const void *d = PyUnicode_DATA(literal);
    if (k == PyUnicode_1BYTE_KIND && l->unicode_kind == PyUnicode_1BYTE_KIND)
        return memcmp((const Py_UCS1 *)l->data + p, d, (size_t)n) == 0 ? n : -1;
    for (Py_ssize_t j = 0; j < n; j++)
        if (AT(l, p + j) != PyUnicode_READ(k, d, j))
            return -1;
    return n;
}

static Py_ssize_t digits(const Line *l, Py_ssize_t p) {
    while (p < l->end && is_digit(AT(l, p)))
        p++;
    return p;
}

/* \d\d at p: p + 2, else -1 */
static Py_ssize_t two_digits(const Line *l, Py_ssize_t p) {
    return p + 1 < l->end && is_digit(AT(l, p)) && is_digit(AT(l, p + 1)) ? p + 2 : -1;
}

/* \d{4}-\d\d-\d\d \d\d:\d\d:\d\d[\.\d{3}](?: ?[A-Za-z][\w/+-]*| ?[+-]\d\d(?::?\d\d)?)? */
static Py_ssize_t stamp(const Line *l, Py_ssize_t p, int millis) {
    static const char shape[] = "dddd-dd-dd dd:dd:dd";
    for (int j = 0; shape[j]; j++, p++) {
        if (p >= l->end)
            return -1;
        Py_UCS4 c = AT(l, p);
        if (shape[j] == 'd' ? !is_digit(c) : c != (Py_UCS4)shape[j])
            return -1;
    }
    if (millis) {
        if (p + 3 >= l->end || AT(l, p) != '.' || !is_digit(AT(l, p + 1)) || !is_digit(AT(l, p + 2)) ||
            !is_digit(AT(l, p + 3)))
            return -1;
        p += 4;
    }
    /* the zone, optional: each alternative tries " ?" with the blank first; without it, the blank
     * itself would have to be a letter or a sign, which it is not */
    Py_ssize_t a = p < l->end && AT(l, p) == ' ' ? p + 1 : p;
    if (a < l->end && is_ascii_letter(AT(l, a))) {
        a++;
        while (a < l->end) {
            Py_UCS4 c = AT(l, a);
            if (!(is_word(c) || c == '/' || c == '+' || c == '-'))
                break;
            a++;
        }
        return a;
    }
    if (a < l->end && (AT(l, a) == '+' || AT(l, a) == '-') && two_digits(l, a + 1) > 0) {
        a += 3;
        Py_ssize_t b = a < l->end && AT(l, a) == ':' ? a + 1 : a;
        Py_ssize_t after = two_digits(l, b);
        return after > 0 ? after : a;
    }
    return p;
}

/* The end of token ``t`` matched at ``p`` on the regex's first choice, or -1. ``next``: the literal
 * after a lazy token (the program guarantees one). */
static Py_ssize_t token_end(const Line *l, Py_ssize_t p, int kind, PyObject *next) {
    Py_ssize_t a;
    switch (kind) {
    case LAZY_LINE:
    case LAZY_NOSPACE: {
        Py_UCS4 head = PyUnicode_READ_CHAR(next, 0);
        for (a = p; a < l->end; a++) {
            Py_UCS4 c = AT(l, a);
            if (c == head && literal_at(l, a, next) >= 0)
                return a;
            if (kind == LAZY_NOSPACE && is_space(c))
                return -1;
        }
        return -1;
    }
    case DIGITS_PLUS:
        a = digits(l, p);
        return a > p ? a : -1;
    case DIGITS_STAR:
        return digits(l, p);
    case SIGNED:
        return digits(l, p < l->end && AT(l, p) == '-' ? p + 1 : p);
    case STAMP:
    case MILLIS:
        return stamp(l, p, kind == MILLIS);
    case EPOCH:
        a = digits(l, p);
        if (a == p)
            return -1;
        if (a + 1 < l->end && AT(l, a) == '.' && is_digit(AT(l, a + 1)))
            a = digits(l, a + 1);
        return a;
    case SQLSTATE:
        for (a = p; a < p + 5; a++) {
            if (a >= l->end)
                return -1;
            Py_UCS4 c = AT(l, a);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
                return -1;
        }
        return a;
    case SESSION:
        for (a = p; a < l->end && is_lower_hex(AT(l, a)); a++)
            ;
        if (a == p || a >= l->end || AT(l, a) != '.')
            return -1;
        p = ++a;
        for (; a < l->end && is_lower_hex(AT(l, a)); a++)
            ;
        return a > p ? a : -1;
    case VXID: /* (?:-?\d+/\d+)? */
        a = p < l->end && AT(l, p) == '-' ? p + 1 : p;
        {
            Py_ssize_t b = digits(l, a);
            if (b > a && b < l->end && AT(l, b) == '/') {
                Py_ssize_t c = digits(l, b + 1);
                if (c > b + 1)
                    return c;
            }
        }
        return p;
    case CLIENT: /* (?:\[local\]|[^\s(]*\(\d*\)|[^\s(]*) */
        if (literal_at(l, p, LOCAL) >= 0)
            return p + PyUnicode_GET_LENGTH(LOCAL);
        for (a = p; a < l->end; a++) {
            Py_UCS4 c = AT(l, a);
            if (c == '(' || is_space(c))
                break;
        }
        if (a < l->end && AT(l, a) == '(') {
            Py_ssize_t b = digits(l, a + 1);
            if (b < l->end && AT(l, b) == ')')
                return b + 1;
        }
        return a;
    }
    return -1;
}

/* A value for the entry: the same text as the last one of this slot is that same object. */
static PyObject *value(PyObject *text, Py_ssize_t a, Py_ssize_t b, PyObject **last) {
    if (*last != NULL && PyUnicode_GET_LENGTH(*last) == b - a && PyUnicode_KIND(*last) == PyUnicode_KIND(text) &&
        memcmp(PyUnicode_DATA(*last), (const char *)PyUnicode_DATA(text) + a * PyUnicode_KIND(text),
               (size_t)(b - a) * PyUnicode_KIND(text)) == 0)
        return Py_NewRef(*last);
    PyObject *made = PyUnicode_Substring(text, a, b);
    if (made != NULL)
        Py_XSETREF(*last, Py_NewRef(made));
    return made;
}

#define MAX_TOKENS 64
#define MAX_GROUPS 64

typedef struct {
    Py_ssize_t count, size, severity_at, message_at, continued_at, other_at;
    int kinds[MAX_TOKENS];
    PyObject *literals[MAX_TOKENS]; /* borrowed from the program */
    Py_ssize_t groups[MAX_TOKENS];
    PyObject *severities; /* tuple of str, in the regex's order */
} Program;

static int read_program(PyObject *program, Program *g) {
    /* (tokens, severities, size, severity_at, message_at, continued_at, other_at); a token is
     * (kind, literal, group index or -1) */
    if (!PyTuple_Check(program) || PyTuple_GET_SIZE(program) != 7 || !PyTuple_Check(PyTuple_GET_ITEM(program, 0)) ||
        !PyTuple_Check(PyTuple_GET_ITEM(program, 1)))
        goto bad;
    PyObject *tokens = PyTuple_GET_ITEM(program, 0);
    g->count = PyTuple_GET_SIZE(tokens);
    g->severities = PyTuple_GET_ITEM(program, 1);
    g->size = PyLong_AsSsize_t(PyTuple_GET_ITEM(program, 2));
    g->severity_at = PyLong_AsSsize_t(PyTuple_GET_ITEM(program, 3));
    g->message_at = PyLong_AsSsize_t(PyTuple_GET_ITEM(program, 4));
    g->continued_at = PyLong_AsSsize_t(PyTuple_GET_ITEM(program, 5));
    g->other_at = PyLong_AsSsize_t(PyTuple_GET_ITEM(program, 6));
    if (PyErr_Occurred())
        return -1;
    if (g->count > MAX_TOKENS || g->size > MAX_GROUPS || g->size < 1)
        goto bad;
    Py_ssize_t slots[4] = {g->severity_at, g->message_at, g->continued_at, g->other_at};
    for (int k = 0; k < 4; k++)
        if (slots[k] < 0 || slots[k] >= g->size)
            goto bad;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(g->severities); k++)
        if (!PyUnicode_Check(PyTuple_GET_ITEM(g->severities, k)))
            goto bad;
    for (Py_ssize_t k = 0; k < g->count; k++) {
        PyObject *token = PyTuple_GET_ITEM(tokens, k);
        if (!PyTuple_Check(token) || PyTuple_GET_SIZE(token) != 3 || !PyUnicode_Check(PyTuple_GET_ITEM(token, 1)))
            goto bad;
        g->kinds[k] = (int)PyLong_AsLong(PyTuple_GET_ITEM(token, 0));
        g->literals[k] = PyTuple_GET_ITEM(token, 1);
        g->groups[k] = PyLong_AsSsize_t(PyTuple_GET_ITEM(token, 2));
        if (PyErr_Occurred())
            return -1;
        if (g->kinds[k] < LIT || g->kinds[k] > CLIENT || g->groups[k] >= g->size ||
            (g->kinds[k] == LIT && PyUnicode_GET_LENGTH(g->literals[k]) == 0))
            goto bad;
    }
    for (Py_ssize_t k = 0; k < g->count; k++)
        if ((g->kinds[k] == LAZY_LINE || g->kinds[k] == LAZY_NOSPACE) &&
            (k + 1 >= g->count || g->kinds[k + 1] != LIT))
            goto bad; /* a lazy field ends where the literal after it begins */
    return 0;
bad:
    PyErr_SetString(PyExc_ValueError, "entries(): a malformed program");
    return -1;
}

/* The message line at ``p`` (ending at l->end) on the regex's first choices: the spans of the
 * token groups, the severity's index and the message's start; 0 when that path fails. */
static int message_line(const Program *g, const Line *l, Py_ssize_t p, Py_ssize_t *spans, Py_ssize_t *severity,
                        Py_ssize_t *message) {
    for (Py_ssize_t k = 0; k < g->count; k++) {
        Py_ssize_t end;
        if (g->kinds[k] == LIT)
            end = literal_at(l, p, g->literals[k]) < 0 ? -1 : p + PyUnicode_GET_LENGTH(g->literals[k]);
        else
            end = token_end(l, p, g->kinds[k], k + 1 < g->count ? g->literals[k + 1] : NULL);
        if (end < 0)
            return 0;
        spans[2 * k] = p;
        spans[2 * k + 1] = end;
        p = end;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(g->severities);
    for (Py_ssize_t s = 0; s < count; s++) {
        Py_ssize_t n = literal_at(l, p, PyTuple_GET_ITEM(g->severities, s));
        if (n <= 0)
            continue;
        Py_ssize_t colon = p + n; /* ":  ?" */
        if (colon + 1 >= l->end || AT(l, colon) != ':' || AT(l, colon + 1) != ' ')
            continue;
        Py_ssize_t m = colon + 2;
        if (m < l->end && AT(l, m) == ' ')
            m++;
        *severity = s;
        *message = m;
        return 1;
    }
    return 0;
}

/* One entry from the regex itself: block.match(text, pos).groups("") and its end. */
static PyObject *regex_entry(PyObject *block, PyObject *text, Py_ssize_t pos, Py_ssize_t *end) {
    PyObject *found = PyObject_CallMethod(block, "match", "On", text, pos);
    if (found == NULL)
        return NULL;
    if (found == Py_None) { /* cannot happen: every line is at least "other" */
        Py_DECREF(found);
        PyErr_SetString(PyExc_ValueError, "entries(): the block regex matches no line here");
        return NULL;
    }
    PyObject *groups = PyObject_CallMethod(found, "groups", "s", "");
    PyObject *stop = groups == NULL ? NULL : PyObject_CallMethod(found, "end", NULL);
    Py_DECREF(found);
    if (stop == NULL) {
        Py_XDECREF(groups);
        return NULL;
    }
    *end = PyLong_AsSsize_t(stop);
    Py_DECREF(stop);
    if (*end < 0) {
        Py_DECREF(groups);
        return NULL;
    }
    return groups;
}

/* entries(text, program, block) -> list: block.findall(text) for ``text`` of whole lines (each
 * ending with a line feed, no carriage return), see the top of this file. */
static PyObject *entries(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "entries(text, program, block)");
        return NULL;
    }
    PyObject *text = args[0], *block = args[2];
    Program g;
    if (read_program(args[1], &g) < 0)
        return NULL;
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (length && PyUnicode_READ_CHAR(text, length - 1) != '\n') {
        PyErr_SetString(PyExc_ValueError, "entries(): the text must end with a line feed");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    PyObject *last[MAX_GROUPS] = {NULL};
    Py_ssize_t spans[2 * MAX_TOKENS];
    if (out == NULL)
        return NULL;
    Line l = {PyUnicode_KIND(text), PyUnicode_DATA(text), 0};
    Py_ssize_t pos = 0;
    while (pos < length) {
        l.end = PyUnicode_FindChar(text, '\n', pos, length, 1);
        if (l.end < 0)
            goto error;
        PyObject *entry = NULL;
        Py_ssize_t severity, message, next = l.end + 1;
        Py_UCS4 first = pos < l.end ? AT(&l, pos) : '\n';
        if (first == '\t' || first == '\n') { /* (?=[^\t\n]) fails: a line that is no message */
            entry = PyTuple_New(g.size);
            if (entry == NULL)
                goto error;
            for (Py_ssize_t k = 0; k < g.size; k++)
                PyTuple_SET_ITEM(entry, k, k == g.other_at ? PyUnicode_Substring(text, pos, l.end) : PyUnicode_New(0, 0));
        } else if (message_line(&g, &l, pos, spans, &severity, &message)) {
            Py_ssize_t stop = l.end; /* the continuation lines: \n\t[^\n]* as often as they come */
            while (stop + 1 < length && AT(&l, stop + 1) == '\t') {
                stop = PyUnicode_FindChar(text, '\n', stop + 1, length, 1);
                if (stop < 0)
                    goto error;
            }
            entry = PyTuple_New(g.size);
            if (entry == NULL)
                goto error;
            for (Py_ssize_t k = 0; k < g.size; k++)
                PyTuple_SET_ITEM(entry, k, NULL);
            for (Py_ssize_t k = 0; k < g.count; k++)
                if (g.groups[k] >= 0)
                    PyTuple_SET_ITEM(entry, g.groups[k], value(text, spans[2 * k], spans[2 * k + 1], &last[g.groups[k]]));
            PyTuple_SET_ITEM(entry, g.severity_at, Py_NewRef(PyTuple_GET_ITEM(g.severities, severity)));
            PyTuple_SET_ITEM(entry, g.message_at, PyUnicode_Substring(text, message, l.end));
            PyTuple_SET_ITEM(entry, g.continued_at, PyUnicode_Substring(text, l.end, stop));
            for (Py_ssize_t k = 0; k < g.size; k++)
                if (PyTuple_GET_ITEM(entry, k) == NULL && !PyErr_Occurred())
                    PyTuple_SET_ITEM(entry, k, PyUnicode_New(0, 0));
            next = stop + 1;
        } else {
            entry = regex_entry(block, text, pos, &next);
            if (entry == NULL)
                goto error;
            if (next <= pos) {
                Py_DECREF(entry);
                PyErr_SetString(PyExc_ValueError, "entries(): the block regex matched nothing");
                goto error;
            }
        }
        if (PyErr_Occurred()) { /* a substring that could not be made */
            Py_DECREF(entry);
            goto error;
        }
        int added = PyList_Append(out, entry);
        Py_DECREF(entry);
        if (added < 0)
            goto error;
        pos = next;
    }
    for (int k = 0; k < MAX_GROUPS; k++)
        Py_XDECREF(last[k]);
    return out;
error:
    for (int k = 0; k < MAX_GROUPS; k++)
        Py_XDECREF(last[k]);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"quick_row", (PyCFunction)(void (*)(void))quick_row, METH_FASTCALL,
     "quick_row(path, line, message, timestamp, session, transaction, names, queryid): as "
     "dbexpert.sources.logs._pg_events.quick_row."},
    {"lane", (PyCFunction)(void (*)(void))lane, METH_FASTCALL,
     "lane(entries, i, number, waiting, waiting_at, rows, context): the reader's loop while lines are "
     "plain query messages."},
    {"entries", (PyCFunction)(void (*)(void))entries, METH_FASTCALL,
     "entries(text, program, block): block.findall(text) for text of whole lines (see _pg_prefix.program)."},
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
    LOCAL = PyUnicode_InternFromString("[local]");
    if (LOCAL == NULL || NEWLINE_TAB == NULL || NEWLINE == NULL || DURATION == NULL || MS == NULL || COLON == NULL || PARSE == NULL || BIND == NULL || ZERO == NULL)
        return NULL;
    return PyModule_Create(&module);
}
