"""Build-system names and the registry ids they stand for.

One table of pkg-config modules, CMake packages, linker names and programs,
shared by ``extdeps scan`` (build files to DepURLs) and ``extdeps lint`` (its
"did you mean" for unknown ids).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extdeps.data.registry import Registry

__all__ = ["known_name", "lookup_name"]

# Build-system names (pkg-config modules, CMake packages, linker names, programs),
# one line per target: "<id>: <names>". A short id is dep:generic/<id>; "virtual/..."
# is dep:virtual/...; "=toolchain", "=python", "=pypi" are names that need no entry.
_TABLE = """
virtual/interface/blas: blas
virtual/interface/cblas: cblas
virtual/interface/lapack: lapack
virtual/interface/lapacke: lapacke
virtual/interface/openmp: openmp omp
virtual/interface/mpi: mpi mpi-c mpi-cxx mpi-fort
virtual/compiler/c: gcc cc clang
virtual/compiler/cxx: g++ c++ clang++
virtual/compiler/rust: rustc cargo
zlib: z libz  | libpng: png libpng16 | libjpeg-turbo: jpeg libjpeg turbojpeg
libtiff: tiff libtiff-4 | libwebp: webp webpdemux webpmux | giflib: gif
openjpeg: openjp2 libopenjp2 | freetype: freetype2 | libraqm: raqm
libimagequant: imagequant | libavif: avif | libheif: heif | libxcb: xcb | libx11: x11
openssl: ssl crypto libssl libcrypto | libffi: ffi | libyaml: yaml yaml-0.1
libxml2: xml2 libxml-2.0 | libxslt: xslt exslt libexslt | expat: libexpat
bzip2: bz2 libbz2 | xz: lzma liblzma | zstd: libzstd | lz4: liblz4
brotli: libbrotlidec libbrotlienc libbrotlicommon brotlidec brotlienc
libdeflate: deflate | curl: libcurl | sqlite: sqlite3 | libpq: pq postgresql
mariadb-connector-c: mariadb libmariadb mysqlclient | gmp: gmpxx
fftw: fftw3 fftw3f fftw3l | hdf5: hdf5_serial | netcdf-c: netcdf
netcdf-fortran: netcdff | mkl: mkl-sdl mkl-dynamic-lp64-seq mkl-dynamic-ilp64-seq
arpack-ng: arpack | suitesparse: cholmod umfpack suitesparseconfig | mumps: dmumps
eigen: eigen3 | tbb: onetbb | glib: glib-2.0 gobject-2.0 gio-2.0 | gtk3: gtk+-3.0
icu: icu-uc icu-i18n icu-io | ncurses: ncursesw curses | libedit: edit | libuv: uv
libsodium: sodium | zeromq: zmq libzmq | grpc: grpc++ | geos: geos_c
wcslib: wcs | libarchive: archive | libgit2: git2 | libssh2: ssh2
libxkbcommon: xkbcommon | pixman: pixman-1 | libusb: usb-1.0 libusb-1.0
libuuid: uuid | libcap: cap | systemd: libsystemd libudev udev | dbus: dbus-1
libevent: event | nghttp2: libnghttp2 | c-ares: cares libcares
nlohmann-json: nlohmann_json | abseil: absl | googletest: gtest gmock
google-benchmark: benchmark | opencv: opencv4 | libglvnd: gl opengl egl
vulkan-loader: vulkan | ocl-icd: opencl | cuda-toolkit: cuda cudatoolkit
libxc: xc | spglib: symspg | qhull: qhull_r | libiconv: iconv | gettext: intl
libunwind: unwind | elfutils: libelf libdw elf dw | libbsd: bsd | libxcrypt: crypt
pcre2: libpcre2-8 | oniguruma: onig | libzip: zip | librsvg: rsvg librsvg-2.0
poppler: poppler-cpp poppler-glib | leptonica: lept | ghostscript: gs
ffmpeg: avcodec avformat avutil swscale libavcodec libavformat libavutil libswscale
portaudio: portaudio-2.0 | libsndfile: sndfile | alsa-lib: alsa asound
pulseaudio: pulse libpulse | libogg: ogg | libvorbis: vorbis | lame: mp3lame
mpg123: libmpg123 | libvpx: vpx | wayland: wayland-client | libepoxy: epoxy
glfw: glfw3 | librdkafka: rdkafka | libwebsockets: websockets | libpcap: pcap
libseccomp: seccomp | liburing: uring | libaio: aio | numactl: numa
libfuse: fuse fuse3 | krb5: gssapi_krb5 | cyrus-sasl: sasl2 libsasl2
openldap: ldap | libgcrypt: gcrypt | unixodbc: odbc | udunits: udunits2
hdf4: df mfhdf | scotch: ptscotch | openmpi: ompi ompi-c | arrow: arrow-cpp
pkg-config: pkgconfig pkgconf | bison: yacc | flex: lex | make: gmake
texinfo: makeinfo | cuda-nvcc: nvcc | go: golang | openjdk: java javac
=toolchain: threads pthread m dl rt c stdc++ util atomic appleframeworks
=python: python python3 python3-embed python-embed pythonlibs pythoninterp
=pypi: numpy pybind11 nanobind cython pythran f2py scipy-openblas scipy-openblas32
=pypi: scipy-openblas64 dlpack
"""
_VERSION_SUFFIX_RE = re.compile(r"[-_.]?\d+(\.\d+)*\Z")


@functools.cache
def _names() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        for part in line.split("|"):
            target, _, names = part.partition(":")
            target = target.strip()
            ident = target if target.startswith("=") else f"dep:{target}"
            if not target.startswith(("virtual/", "=")):
                ident = f"dep:generic/{target}"
                table.setdefault(target, ident)
            for name in names.split():
                table.setdefault(name.lower(), ident)
    return table


def known_name(name: str) -> str | None:
    """The registry id the name table gives a build-system name, if any."""
    found = _names().get(name.lower())
    return found if found is not None and not found.startswith("=") else None


def lookup_name(name: str, registry: Registry) -> str | None:
    """The id (or ``=toolchain``/``=python``/``=pypi``) for a build-system name:
    the name table first, then the registry, trying common spellings."""
    low = name.lower()
    if re.match(r"python-?3(\.\d+)?(-embed)?\Z", low):
        return "=python"
    stripped = _VERSION_SUFFIX_RE.sub("", low)
    bare = low.removeprefix("lib")
    for candidate in dict.fromkeys(
        (low, stripped, bare, f"lib{low}", stripped.removeprefix("lib"))
    ):
        found = _names().get(candidate)
        if found is None and f"dep:generic/{candidate}" in registry:
            found = f"dep:generic/{candidate}"
        if found is not None:
            return found
    return None
