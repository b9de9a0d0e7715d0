// ECE 544 Lab: runs `ece544core.bench` (our side only: no reference libraries in the browser)
// inside Pyodide, for the browser/native ratio. Protocol:
//   page -> worker {type: "run", quick, tasks}   worker -> page {type: "log" | "done" | "error"}
const pyodideURL = new URL("./pyodide/", self.location.href).href;
importScripts(pyodideURL + "pyodide.js");

let ready = null;

async function boot() {
  const pyodide = await loadPyodide({indexURL: pyodideURL});
  const failed = [];
  await pyodide.loadPackage(["ece544core"], {
    messageCallback: () => {},
    errorCallback: (msg) => failed.push(msg),
  });
  if (failed.length) throw new Error("Could not load Python packages: " + failed.join("; "));
  return pyodide;
}

const RUN_CODE = `
import json
from ece544core.bench import format_table, run_bench
rows = run_bench(tasks=TASKS or None, quick=QUICK, repeats=3, log=LOG)
json.dumps({"table": format_table(rows), "rows": rows})
`;

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    ready = ready || boot();
    const pyodide = await ready;
    pyodide.globals.set("QUICK", Boolean(msg.quick));
    pyodide.globals.set("TASKS", pyodide.toPy(msg.tasks || []));
    pyodide.globals.set("LOG", (line) => self.postMessage({type: "log", line: line}));
    const result = JSON.parse(await pyodide.runPythonAsync(RUN_CODE));
    self.postMessage({type: "done", table: result.table, rows: result.rows});
  } catch (err) {
    console.error(`${err}`);
    self.postMessage({type: "error", msg: `${err}`.trim().split("\n").pop()});
  }
};
