"""Build configuration for the one compiled part: the matching engine's native solver.

Everything else (metadata, dependencies, packages) lives in pyproject.toml. The
extension needs only a C compiler and the Python headers (no numpy headers); if
it is missing at run time the engine falls back to OR-Tools.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "resilience.matching._native",
            sources=["resilience/matching/_native.c"],
            extra_compile_args=["-O2", "-std=c99", "-pthread"],
            extra_link_args=["-pthread"],
        )
    ]
)
