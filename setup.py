"""setuptools drives the project's CMake build for `pip install --no-build-isolation .`:
the extension keycomp._keycomp is the CMake target _keycomp, built in build-pip/."""
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.path.join(ROOT, "build-pip")
        subprocess.check_call(["cmake", "-S", ROOT, "-B", build, "-G", "Ninja",
                               "-DCMAKE_BUILD_TYPE=Release", "-DKEYCOMP_BUILD_TESTS=OFF",
                               "-DKEYCOMP_BUILD_BENCH=OFF",
                               f"-DPython3_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", build, "--target", "_keycomp"])
        built = os.path.join(build, "python", "keycomp", os.path.basename(self.get_ext_filename(ext.name)))
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(built, target)


setup(ext_modules=[Extension("keycomp._keycomp", sources=[])], cmdclass={"build_ext": CMakeBuild})
