/* A compiled submodule that calls into zlib. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <zlib.h>

static PyObject *crc32_(PyObject *self, PyObject *args) {
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data)) {
        return NULL;
    }
    uLong crc = crc32(0L, (const Bytef *)data.buf, (uInt)data.len);
    PyBuffer_Release(&data);
    return PyLong_FromUnsignedLong(crc);
}

static PyObject *zlib_version_(PyObject *self, PyObject *unused) {
    return PyUnicode_FromString(zlibVersion());
}

static PyMethodDef methods[] = {
    {"crc32", crc32_, METH_VARARGS, "CRC-32 of a bytes-like object, computed by zlib."},
    {"zlib_version", zlib_version_, METH_NOARGS, "The version of the zlib library in use."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_crc", NULL, -1, methods};

PyMODINIT_FUNC PyInit__crc(void) { return PyModule_Create(&module); }
