/*
 * Python's \w, \d and \s for str patterns (the sre module's Unicode definitions), for the optional
 * C accelerators that reproduce regular expressions (sql/_skeleton.c, sources/logs/_rows.c).
 */
#ifndef DBEXPERT_CLASSES_H
#define DBEXPERT_CLASSES_H

#include <Python.h>

static inline int is_word(Py_UCS4 c) {
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return Py_UNICODE_ISALNUM(c);
}

static inline int is_digit(Py_UCS4 c) {
    if (c < 128)
        return c >= '0' && c <= '9';
    return Py_UNICODE_ISDECIMAL(c);
}

static inline int is_space(Py_UCS4 c) {
    if (c < 128)
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
    return Py_UNICODE_ISSPACE(c);
}

#endif
