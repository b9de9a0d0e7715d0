// Compile the site's Python packages to bytecode with Pyodide's own Python (3.12, under Node).
//
//   node tools/pycompile.mjs <pyodide.mjs> <site/pyodide/> <out dir> <package>...
//
// Loads <package>... (and their dependencies) from the site's lock file, byte-compiles everything
// installed in site-packages (unchecked-hash .pyc: no timestamps, so the output is reproducible
// and Python never re-reads the source to validate it) and copies every __pycache__/*.pyc to
// <out dir>, keeping its path relative to site-packages. build.py adds them to the wheels, so the
// browser imports bytecode instead of compiling the sources at every page load. The standard
// library gets the same treatment: <out dir>/python_stdlib.zip is Pyodide's stdlib zip with a
// .pyc beside every .py (where zipimport looks for it).
import { pathToFileURL } from "node:url";

const [pyodideModule, indexURL, outDir, ...packages] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(pyodideModule).href);
globalThis.XMLHttpRequest = class {};  // Panel probes for it at import time

const pyodide = await loadPyodide({ indexURL });
const failed = [];
await pyodide.loadPackage(packages, {
  messageCallback: () => {},
  errorCallback: (msg) => failed.push(msg),
});
if (failed.length) {
  console.error(failed.join("\n"));
  process.exit(1);
}
pyodide.FS.mkdirTree("/out");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: outDir }, "/out");
const count = pyodide.runPython(`
import compileall, os, py_compile, shutil, zipfile
site = "/lib/python3.12/site-packages"
compileall.compile_dir(site, quiet=2,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
n = 0
for root, _dirs, files in os.walk(site):
    if os.path.basename(root) != "__pycache__":
        continue
    target = os.path.join("/out", os.path.relpath(root, site))
    os.makedirs(target, exist_ok=True)
    for name in files:
        if name.endswith(".pyc"):
            shutil.copyfile(os.path.join(root, name), os.path.join(target, name))
            n += 1

stdlib = "/tmp/stdlib"
with zipfile.ZipFile("/lib/python312.zip") as zf:
    zf.extractall(stdlib)
    names = zf.namelist()
compileall.compile_dir(stdlib, quiet=2, legacy=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
with zipfile.ZipFile("/out/python_stdlib.zip", "w", zipfile.ZIP_DEFLATED) as out:
    for name in names:
        members = [name] + ([name + "c"] if name.endswith(".py") else [])
        for member in members:
            path = os.path.join(stdlib, member)
            if os.path.isfile(path):
                info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as f:
                    out.writestr(info, f.read())
                n += member.endswith(".pyc")
n
`);
console.log(`compiled ${count} modules`);
