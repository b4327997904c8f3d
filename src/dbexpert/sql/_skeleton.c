/*
 * The fingerprint's fast path for PostgreSQL and MySQL statements, in C: the same skeleton as
 * dbexpert.sql.fingerprint._quick_skeleton with the engine's patterns, built in a few linear passes
 * instead of the regular expressions' several calls per statement. The engines differ in their
 * strings (MySQL's escape with backslashes) and in what sends a statement to the full path.
 *
 * pg_skeleton(sql) and mysql_skeleton(sql) return the skeleton (a str), None where the Python function returns None (the
 * statement holds a comment, a quoted identifier, a dollar quote...: the full normalization reads
 * it), or NotImplemented where this code does not decide (an unterminated string): the caller then
 * runs the Python passes. Each pass below states the regular expression it reproduces; a test
 * compares both on generated and random text.
 *
 * pg_find(sql) and mysql_find(sql) also look the statement and its skeleton up in the fingerprint's
 * caches (given by bind()) and return the Shape found there, so that a statement seen before takes
 * no Python step at all.
 *
 * Optional: when no C compiler is present at install time, the Python passes run alone.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "../_classes.h"

typedef struct {
    Py_UCS4 *data;
    Py_ssize_t len;
} Text;

static inline int is_hex(Py_UCS4 c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline void put(Text *out, Py_UCS4 c) { out->data[out->len++] = c; }

/* s[from:to] copied to the end of out */
static inline void put_run(Text *out, const Py_UCS4 *s, Py_ssize_t from, Py_ssize_t to) {
    if (to > from) {
        memcpy(out->data + out->len, s + from, (size_t)(to - from) * sizeof(Py_UCS4));
        out->len += to - from;
    }
}

/* The ASCII characters each pass looks at first (the one a match starts with, or a character the
 * search is for): the passes skip every other character in a tight loop and copy it in runs. */
enum { S_NUMBER = 1, S_ARRAY = 2, S_NULL = 4, S_LIST = 8, S_ROWS = 16, S_TRICKY = 32, S_TRICKY_MYSQL = 64 };
static const unsigned char starts[128] = {
    ['0'] = S_NUMBER, ['1'] = S_NUMBER, ['2'] = S_NUMBER, ['3'] = S_NUMBER, ['4'] = S_NUMBER,
    ['5'] = S_NUMBER, ['6'] = S_NUMBER, ['7'] = S_NUMBER, ['8'] = S_NUMBER, ['9'] = S_NUMBER,
    ['.'] = S_NUMBER, ['a'] = S_ARRAY, ['A'] = S_ARRAY, ['n'] = S_NULL, ['N'] = S_NULL,
    ['('] = S_LIST, ['v'] = S_ROWS, ['V'] = S_ROWS,
    ['"'] = S_TRICKY | S_TRICKY_MYSQL, ['\''] = S_TRICKY | S_TRICKY_MYSQL,
    ['-'] = S_TRICKY | S_TRICKY_MYSQL, ['/'] = S_TRICKY | S_TRICKY_MYSQL, ['$'] = S_TRICKY | S_TRICKY_MYSQL,
    ['`'] = S_TRICKY_MYSQL, ['#'] = S_TRICKY_MYSQL, ['\\'] = S_TRICKY_MYSQL,
};

static inline int starts_as(Py_UCS4 c, unsigned char what) { return c < 128 && (starts[c] & what); }

static inline void put_ascii(Text *out, const char *s) {
    while (*s)
        out->data[out->len++] = (Py_UCS4)(unsigned char)*s++;
}

/* '(?<=[eE]')(?<![\w'][eE]')' found: an E'...' string, where a backslash may escape a quote. */
static int escape_string_prefix(const Text *t) {
    for (Py_ssize_t i = 1; i < t->len; i++) {
        if (t->data[i] != '\'' || (t->data[i - 1] != 'e' && t->data[i - 1] != 'E'))
            continue;
        if (i < 2 || !(is_word(t->data[i - 2]) || t->data[i - 2] == '\''))
            return 1;
    }
    return 0;
}

/* Strings -> " ? ": returns 0, or -1 for a string that does not end (the regular expression then
 * backtracks in ways this pass does not follow). PostgreSQL: [eEbBxXnN']('...') with doubled
 * quotes inside; MySQL: [bBxXnN]?'[^'\\]*(?:(?:''|\\.)[^'\\]*)*' (a backslash escapes any
 * character, a line feed included). */
static int strings(const Text *in, Text *out, int mysql) {
    const Py_UCS4 *s = in->data;
    Py_ssize_t n = in->len, i = 0;
    out->len = 0;
    while (i < n) {
        /* The next quote; a prefix letter just before it (not inside the string before) starts the
         * string: scanning from i, no earlier position could start one (it would need a quote). */
        Py_ssize_t q = i;
        while (q < n && s[q] != '\'')
            q++;
        if (q >= n) {
            put_run(out, s, i, n);
            break;
        }
        Py_ssize_t start = q, body = q + 1;
        if (q > i) {
            Py_UCS4 c = s[q - 1];
            if (c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N' ||
                (!mysql && (c == 'e' || c == 'E')))
                start = q - 1;
        }
        put_run(out, s, i, start);
        /* doubled quotes (and, for MySQL, backslashed characters) stay inside; the first single
         * quote ends the string */
        Py_ssize_t k = body;
        for (;;) {
            while (k < n && s[k] != '\'' && !(mysql && s[k] == '\\'))
                k++;
            if (k >= n)
                return -1;
            if (s[k] == '\\') {
                if (k + 1 >= n)
                    return -1;
                k += 2;
                continue;
            }
            if (k + 1 < n && s[k + 1] == '\'') {
                k += 2;
                continue;
            }
            break;
        }
        put_ascii(out, " ? ");
        i = k + 1;
    }
    return 0;
}

/* The Python path's "tricky" search — PostgreSQL: "|'|--|/\*|\$\$; MySQL: "|`|#|'|\\|--|/\* —
 * and the dollar tag (\$[A-Za-z_]\w*\$) it looks for in every engine. */
static int tricky(const Text *t, int mysql) {
    const Py_UCS4 *s = t->data;
    Py_ssize_t n = t->len;
    unsigned char what = mysql ? S_TRICKY_MYSQL : S_TRICKY;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = s[i];
        if (!starts_as(c, what))
            continue;
        if (c == '"' || c == '\'')
            return 1;
        if (mysql && (c == '`' || c == '#' || c == '\\'))
            return 1;
        if (i + 1 < n) {
            Py_UCS4 d = s[i + 1];
            if ((c == '-' && d == '-') || (c == '/' && d == '*') || (!mysql && c == '$' && d == '$'))
                return 1;
            if (c == '$' && ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || d == '_')) {
                Py_ssize_t k = i + 2;
                while (k < n && is_word(s[k]))
                    k++;
                if (k < n && s[k] == '$')
                    return 1;
            }
        }
    }
    return 0;
}

/* [eE][-+]?\d+ from k: its end, or -1 */
static Py_ssize_t exponent_end(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t k) {
    if (k >= n || (s[k] != 'e' && s[k] != 'E'))
        return -1;
    k++;
    if (k < n && (s[k] == '+' || s[k] == '-'))
        k++;
    Py_ssize_t d = k;
    while (d < n && is_digit(s[d]))
        d++;
    return d > k ? d : -1;
}

static inline int ends_number(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t k) { return k >= n || !is_word(s[k]); }

/* The match of
 *   [0-9.](?<![\w$.].)(?:(?<=0)[xX][0-9a-fA-F]+|(?<=[0-9])\d*\.?\d*(?:[eE][-+]?\d+)?|(?<=\.)\d+(?:[eE][-+]?\d+)?)(?!\w)
 * at p (the look-behind already checked): its end, or -1. The cases follow the regular expression's
 * backtracking: "1.5x" gives "1" (the dot is no word character), "12a" nothing. */
static Py_ssize_t number_end(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t p) {
    Py_UCS4 c = s[p];
    Py_ssize_t i = p + 1;
    if (c == '0' && i < n && (s[i] == 'x' || s[i] == 'X')) {
        Py_ssize_t k = i + 1;
        while (k < n && is_hex(s[k]))
            k++;
        if (k > i + 1 && ends_number(s, n, k))
            return k;
    }
    if (c >= '0' && c <= '9') {
        Py_ssize_t j = i;
        while (j < n && is_digit(s[j]))
            j++;
        Py_ssize_t e;
        if (j < n && s[j] == '.') {
            Py_ssize_t m = j + 1;
            while (m < n && is_digit(s[m]))
                m++;
            e = exponent_end(s, n, m);
            if (e >= 0 && ends_number(s, n, e))
                return e;
            if (ends_number(s, n, m))
                return m;
            return j; /* without the dot: followed by '.', which is no word character */
        }
        e = exponent_end(s, n, j);
        if (e >= 0 && ends_number(s, n, e))
            return e;
        return ends_number(s, n, j) ? j : -1;
    }
    if (c == '.') {
        Py_ssize_t j = i;
        while (j < n && is_digit(s[j]))
            j++;
        if (j == i)
            return -1;
        Py_ssize_t e = exponent_end(s, n, j);
        if (e >= 0 && ends_number(s, n, e))
            return e;
        return ends_number(s, n, j) ? j : -1;
    }
    return -1;
}

static Py_ssize_t number_match(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t p, Text *out) {
    Py_UCS4 c = s[p];
    if (!(c == '.' || (c >= '0' && c <= '9')) || (p > 0 && (is_word(s[p - 1]) || s[p - 1] == '$' || s[p - 1] == '.')))
        return -1;
    Py_ssize_t end = number_end(s, n, p);
    if (end >= 0)
        put(out, '?');
    return end;
}

/* \?:[A-Za-z_] (a parameter the numbers pass made) or \?\.\d (a number read twice) */
static int new_tokens(const Text *t) {
    const Py_UCS4 *s = t->data;
    for (Py_ssize_t i = 0; i + 2 < t->len; i++) {
        if (s[i] != '?')
            continue;
        Py_UCS4 d = s[i + 1], e = s[i + 2];
        if (d == ':' && ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || e == '_'))
            return 1;
        if (d == '.' && is_digit(e))
            return 1;
    }
    return 0;
}

static inline Py_ssize_t skip_space(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t k) {
    while (k < n && is_space(s[k]))
        k++;
    return k;
}

/* From k, just after an opening bracket: \s*(?:\?\s*,\s*)*\?\s*<close> with at least `commas`
 * commas, replaced by `replacement`; the end after <close>, or -1 (nothing written). */
static Py_ssize_t marks_end(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t k, Py_UCS4 close, int commas, Text *out,
                            const char *replacement) {
    int seen = 0;
    k = skip_space(s, n, k);
    for (;;) {
        if (k >= n || s[k] != '?')
            return -1;
        k = skip_space(s, n, k + 1);
        if (k < n && s[k] == ',') {
            seen++;
            k = skip_space(s, n, k + 1);
            continue;
        }
        if (k < n && s[k] == close && seen >= commas) {
            put_ascii(out, replacement);
            return k + 1;
        }
        return -1;
    }
}

/* `text` at k (ASCII; with `fold`, its lower-case letters match either case) */
static int literal_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t k, const char *text, int fold) {
    for (Py_ssize_t i = 0; text[i]; i++) {
        if (k + i >= n)
            return 0;
        Py_UCS4 want = (Py_UCS4)(unsigned char)text[i];
        if (s[k + i] != want && !(fold && want >= 'a' && want <= 'z' && s[k + i] == want - 32))
            return 0;
    }
    return 1;
}

/* \b<lower> in either case, not preceded by a word character */
static int word_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t p, const char *lower) {
    return !(p > 0 && is_word(s[p - 1])) && literal_at(s, n, p, lower, 1);
}

/* \b[aA][rR][rR][aA][yY]\s*\[\s*(?:\?\s*,\s*)*\?\s*\] -> "array[...]" */
static Py_ssize_t array_match(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t p, Text *out) {
    if ((s[p] != 'a' && s[p] != 'A') || !word_at(s, n, p, "array"))
        return -1;
    Py_ssize_t k = skip_space(s, n, p + 5);
    if (k >= n || s[k] != '[')
        return -1;
    return marks_end(s, n, k + 1, ']', 0, out, "array[...]");
}

/* ([(,]\s*)[nN][uU][lL][lL](?=\s*[,)]) -> \1? : the NULL at p, found from its first letter, what
 * precedes it (blanks after an opening parenthesis or a comma) being copied as it is */
static Py_ssize_t null_match(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t p, Text *out) {
    if ((s[p] != 'n' && s[p] != 'N') || !literal_at(s, n, p, "null", 1))
        return -1;
    Py_ssize_t k = p;
    while (k > 0 && is_space(s[k - 1]))
        k--;
    if (k == 0 || (s[k - 1] != '(' && s[k - 1] != ','))
        return -1;
    Py_ssize_t e = skip_space(s, n, p + 4);
    if (e >= n || (s[e] != ',' && s[e] != ')'))
        return -1;
    put(out, '?');
    return p + 4;
}

/* \((?:\s*\?\s*,)+\s*\?\s*\) -> "(...)" */
static Py_ssize_t list_match(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t p, Text *out) {
    if (s[p] != '(')
        return -1;
    return marks_end(s, n, p + 1, ')', 1, out, "(...)");
}

/* (\b[vV][aA][lL][uU][eE][sS]\s*)\(\.\.\.\)(?:\s*,\s*\(\.\.\.\))+ -> \1(...) */
static Py_ssize_t rows_match(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t p, Text *out) {
    if ((s[p] != 'v' && s[p] != 'V') || !word_at(s, n, p, "values"))
        return -1;
    Py_ssize_t head = skip_space(s, n, p + 6);
    if (!literal_at(s, n, head, "(...)", 0))
        return -1;
    Py_ssize_t k = head + 5, more = 0;
    for (;;) {
        Py_ssize_t j = skip_space(s, n, k);
        if (j >= n || s[j] != ',')
            break;
        j = skip_space(s, n, j + 1);
        if (!literal_at(s, n, j, "(...)", 0))
            break;
        k = j + 5;
        more++;
    }
    if (!more)
        return -1;
    for (Py_ssize_t i = p; i < head; i++)
        put(out, s[i]);
    put_ascii(out, "(...)");
    return k;
}

typedef Py_ssize_t (*Matcher)(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t p, Text *out);

/* One pass as re.sub makes it: left to right, each match (found by `match`, which writes its
 * replacement) replaced, the scan going on after it; every other character copied. */
static inline void replace_all(const Text *in, Text *out, Matcher match, unsigned char first) {
    const Py_UCS4 *s = in->data;
    Py_ssize_t n = in->len, p = 0;
    out->len = 0;
    while (p < n) {
        /* `match` fails at once on a character that is not one of its `first` ones: skip those */
        Py_ssize_t q = p;
        while (q < n && !starts_as(s[q], first))
            q++;
        put_run(out, s, p, q);
        if (q >= n)
            break;
        p = q;
        Py_ssize_t end = match(s, n, p, out);
        if (end >= 0) {
            p = end;
            continue;
        }
        put(out, s[p]);
        p++;
    }
}

/* "ll" in t, in any case: without it, no NULL (the Python passes look for it first too) */
static int has_ll(const Text *t) {
    for (Py_ssize_t i = 1; i < t->len; i++)
        if ((t->data[i] | 0x20) == 'l' && (t->data[i - 1] | 0x20) == 'l')
            return 1;
    return 0;
}

/* "), (" or "),(" in t: rows of a VALUES list, which rows_match may collapse */
static int has_rows(const Text *t) {
    const Py_UCS4 *s = t->data;
    for (Py_ssize_t i = 0; i + 2 < t->len; i++)
        if (s[i] == ')' && s[i + 1] == ',' && (s[i + 2] == '(' || (s[i + 2] == ' ' && i + 3 < t->len && s[i + 3] == '(')))
            return 1;
    return 0;
}

/* One buffer for the calls on statements of ordinary length, grown as needed (the GIL is held
 * throughout: no other call can use it meanwhile). */
static Py_UCS4 *buffer = NULL;
static Py_ssize_t buffer_size = 0;

static PyObject *text_object(const Text *t, int ascii) {
    if (!ascii)
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, t->data, t->len);
    /* an ASCII statement gives an ASCII skeleton: every replacement is ASCII */
    PyObject *result = PyUnicode_New(t->len, 127);
    if (result == NULL)
        return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(result);
    for (Py_ssize_t i = 0; i < t->len; i++)
        out[i] = (Py_UCS1)t->data[i];
    return result;
}

/* The skeleton of `sql` (n characters) built in `memory`: two texts of `room` characters each. */
static PyObject *skeleton(PyObject *sql, Py_ssize_t n, Py_UCS4 *memory, Py_ssize_t room, int mysql) {
    Text a = {memory, n}, b = {memory + room, 0};
    int kind = PyUnicode_KIND(sql);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *in = PyUnicode_1BYTE_DATA(sql);
        for (Py_ssize_t i = 0; i < n; i++)
            a.data[i] = in[i];
    } else {
        const void *data = PyUnicode_DATA(sql);
        for (Py_ssize_t i = 0; i < n; i++)
            a.data[i] = PyUnicode_READ(kind, data, i);
    }
    /* What the statement holds decides which passes can change anything (no pass adds a ':' or
     * a '.'). */
    int quotes = 0, backslash = 0, nul = 0, brackets = 0, parens = 0, marks = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = a.data[i];
        quotes |= c == '\'';
        backslash |= c == '\\';
        nul |= c == 0;
        brackets |= c == '[';
        parens |= c == '(';
        marks |= c == ':' || c == '.';
    }
    Text *cur = &a, *next = &b, *swap;
#define NEXT() (swap = cur, cur = next, next = swap)
    if (nul || (backslash && escape_string_prefix(cur)))
        Py_RETURN_NONE;
    if (quotes) {
        if (strings(cur, next, mysql) < 0)
            Py_RETURN_NOTIMPLEMENTED;
        NEXT();
    }
    if (tricky(cur, mysql))
        Py_RETURN_NONE;
    replace_all(cur, next, number_match, S_NUMBER);
    NEXT();
    if (marks && new_tokens(cur))
        Py_RETURN_NONE;
    /* the passes before make no bracket: none in the statement, none now */
    if (brackets) {
        replace_all(cur, next, array_match, S_ARRAY);
        NEXT();
    }
    if (parens) {
        if (has_ll(cur)) {
            replace_all(cur, next, null_match, S_NULL);
            NEXT();
        }
        replace_all(cur, next, list_match, S_LIST);
        NEXT();
        if (has_rows(cur)) {
            replace_all(cur, next, rows_match, S_ROWS);
            NEXT();
        }
    }
#undef NEXT
    return text_object(cur, PyUnicode_IS_ASCII(sql));
}

/* The buffer kept between calls is at most this many characters (4 MiB): a longer statement
 * gets memory of its own, freed at once. */
#define KEPT_CHARS (1 << 20)

static PyObject *fast_skeleton(PyObject *sql, int mysql) {
    if (!PyUnicode_Check(sql)) {
        PyErr_SetString(PyExc_TypeError, "the skeleton of a str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(sql);
    /* What grows: " ? " for a two-character string '' (3/2 at most), then "array[...]" for
     * "array[?]" (5/4 at most of what the strings pass gave): under twice the length. */
    Py_ssize_t room = 2 * n + 16;
    if (2 * room > KEPT_CHARS) {
        Py_UCS4 *memory = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(2 * room));
        if (memory == NULL)
            return PyErr_NoMemory();
        PyObject *result = skeleton(sql, n, memory, room, mysql);
        PyMem_Free(memory);
        return result;
    }
    if (buffer_size < 2 * room) {
        Py_UCS4 *grown = PyMem_Realloc(buffer, sizeof(Py_UCS4) * (size_t)(2 * room));
        if (grown == NULL)
            return PyErr_NoMemory();
        buffer = grown;
        buffer_size = 2 * room;
    }
    return skeleton(sql, n, buffer, room, mysql);
}

static PyObject *pg_skeleton(PyObject *module, PyObject *sql) { return fast_skeleton(sql, 0); }

static PyObject *mysql_skeleton(PyObject *module, PyObject *sql) { return fast_skeleton(sql, 1); }

/* Per engine (0: PostgreSQL, 1: MySQL), the fingerprint's two caches, given once by bind():
 * statement text -> Shape (`seen`, cleared when it reaches `seen_limit`) and skeleton -> Shape. */
static PyObject *seen_of[2] = {NULL, NULL}, *shapes_of[2] = {NULL, NULL};
static Py_ssize_t seen_limit = 0;

static PyObject *bind(PyObject *module, PyObject *args) {
    int mysql;
    PyObject *seen, *shapes;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "pO!O!n", &mysql, &PyDict_Type, &seen, &PyDict_Type, &shapes, &limit))
        return NULL;
    Py_XSETREF(seen_of[mysql], Py_NewRef(seen));
    Py_XSETREF(shapes_of[mysql], Py_NewRef(shapes));
    seen_limit = limit;
    Py_RETURN_NONE;
}

/* What fingerprint() does for a statement whose text or skeleton it has seen: the Shape. Else what
 * the Python code needs to go on: the skeleton (a str), None (take the full path) or
 * NotImplemented (run the Python passes) -- the same as the *_skeleton functions. */
static PyObject *find(PyObject *sql, int mysql) {
    PyObject *seen = seen_of[mysql], *shapes = shapes_of[mysql];
    if (seen == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "find() before bind()");
        return NULL;
    }
    if (!PyUnicode_Check(sql)) {
        PyErr_SetString(PyExc_TypeError, "the shape of a str");
        return NULL;
    }
    PyObject *shape = PyDict_GetItemWithError(seen, sql); /* borrowed */
    if (shape != NULL)
        return Py_NewRef(shape);
    if (PyErr_Occurred())
        return NULL;
    PyObject *skeleton = fast_skeleton(sql, mysql);
    if (skeleton == NULL || skeleton == Py_NotImplemented)
        return skeleton;
    shape = PyDict_GetItemWithError(shapes, skeleton == Py_None ? sql : skeleton);
    if (shape == NULL) {
        if (PyErr_Occurred()) {
            Py_DECREF(skeleton);
            return NULL;
        }
        return skeleton; /* a new skeleton: the Python code makes its shape */
    }
    Py_DECREF(skeleton);
    Py_INCREF(shape); /* held across the dict's changes below */
    if (PyDict_GET_SIZE(seen) >= seen_limit)
        PyDict_Clear(seen); /* a cheap bound, as in the Python code */
    if (PyDict_SetItem(seen, sql, shape) < 0) {
        Py_DECREF(shape);
        return NULL;
    }
    return shape;
}

static PyObject *pg_find(PyObject *module, PyObject *sql) { return find(sql, 0); }

static PyObject *mysql_find(PyObject *module, PyObject *sql) { return find(sql, 1); }

static PyMethodDef methods[] = {
    {"pg_skeleton", pg_skeleton, METH_O,
     "The fingerprint's skeleton of a PostgreSQL statement; None: take the full path; NotImplemented: "
     "run the Python passes."},
    {"mysql_skeleton", mysql_skeleton, METH_O, "The same for a MySQL statement."},
    {"bind", bind, METH_VARARGS,
     "bind(mysql, seen, shapes, seen_limit): the fingerprint's caches of one engine, for its find()."},
    {"pg_find", pg_find, METH_O,
     "The Shape of a PostgreSQL statement whose text or skeleton is in the bound caches; else what "
     "pg_skeleton gives."},
    {"mysql_find", mysql_find, METH_O, "The same for a MySQL statement."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_skeleton", NULL, 0, methods};

PyMODINIT_FUNC PyInit__skeleton(void) { return PyModule_Create(&module); }
