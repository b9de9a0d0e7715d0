// ECE 544 Lab: the web worker that runs Python (Pyodide) and the Panel app.
//
// Protocol with the page (index.html):
//   page -> worker  {type: "start", search, hash, cdnRoot}   boot Python, build the app
//   worker -> page  {type: "status", msg, progress}           boot progress (0..1)
//   worker -> page  {type: "render", docs_json, render_items, root_ids}
//   page -> worker  {type: "rendered"}                        page embedded the Bokeh document
//   worker -> page  {type: "linked"}                          Python now answers widget changes
//   page -> worker  {type: "patch", patch}                    a widget/plot changed in the page
//   worker -> page  {type: "patch", patch, buffers}           Python changed the document
//   worker -> page  {type: "idle"}                            a page patch has been applied
//   page -> worker  {type: "location", location}              window.location, for URL sync
//   worker -> page  {type: "error", msg}                      boot failed: shown to the user
//
// Everything is loaded from this site: Pyodide, its lock file and every wheel (build.py checks
// that the lock's closure of PACKAGES is present in the site, so nothing falls back to a CDN).

const PACKAGES = __PACKAGES__;  // filled in by build.py
const pyodideURL = new URL("./pyodide/", self.location.href).href;
importScripts(pyodideURL + "pyodide.js");

let pyodide = null;

function status(msg, progress) {
  self.postMessage({type: "status", msg: msg, progress: progress});
}

function sendPatch(patch, buffers, msg_id) {
  self.postMessage({type: "patch", patch: patch, buffers: buffers});
}

async function loadPackages() {
  const failed = [];
  await pyodide.loadPackage(PACKAGES, {
    messageCallback: (msg) => console.debug(msg),
    errorCallback: (msg) => { failed.push(msg); console.error(msg); },
  });
  if (failed.length) {
    throw new Error("Could not load Python packages: " + failed.join("; "));
  }
}

const APP_CODE = `
import os
os.environ["PANEL_CDN_ROOT"] = PANEL_CDN_ROOT   # before panel is imported
from panel.io.pyodide import init_doc, write_doc
init_doc()
from ece544lab.shell.app import create_app
create_app(PAGE_SEARCH, PAGE_HASH).servable(title="ECE 544 Lab")
await write_doc()
`;

async function start(config) {
  const t0 = performance.now();
  const mark = (what) => console.log(`[ece544] ${what} at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  status("Starting Python (Pyodide)…", 0.05);
  pyodide = await loadPyodide({indexURL: pyodideURL});
  mark("pyodide booted");
  status("Loading NumPy, Panel and the course code…", 0.3);
  await loadPackages();
  mark("packages loaded");
  status("Importing Panel and building the demos…", 0.7);
  pyodide.globals.set("sendPatch", sendPatch);
  pyodide.globals.set("PANEL_CDN_ROOT", config.cdnRoot);
  pyodide.globals.set("PAGE_SEARCH", config.search);
  pyodide.globals.set("PAGE_HASH", config.hash);
  const [docs_json, render_items, root_ids] = await pyodide.runPythonAsync(APP_CODE);
  mark("app built");
  status("Drawing…", 0.95);
  self.postMessage({type: "render", docs_json, render_items, root_ids});
}

const LINK_CODE = `
from panel.io.state import state
from panel.io.pyodide import _link_docs_worker
_link_docs_worker(state.curdoc, sendPatch, setter="js")
`;

const PATCH_CODE = `
from panel.io.state import state
from panel.io.pyodide import _convert_json_patch
state.curdoc.apply_json_patch(_convert_json_patch(patch), setter="js")
`;

const LOCATION_CODE = `
import json
from panel.io.state import state
from panel.util import edit_readonly
if state.location:
    loc_data = json.loads(location)
    with edit_readonly(state.location):
        state.location.param.update({k: v for k, v in loc_data.items() if k in state.location.param})
`;

async function runReported(code) {
  try {
    await pyodide.runPythonAsync(code);
  } catch (err) {
    console.error(`${err}`);
  }
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "start") {
    try {
      await start(msg);
    } catch (err) {
      console.error(`${err}`);
      const lines = `${err}`.trim().split("\n");
      self.postMessage({type: "error", msg: lines[lines.length - 1]});
    }
  } else if (msg.type === "rendered") {
    await runReported(LINK_CODE);
    self.postMessage({type: "linked"});
  } else if (msg.type === "patch") {
    pyodide.globals.set("patch", msg.patch);
    await runReported(PATCH_CODE);
    self.postMessage({type: "idle"});
  } else if (msg.type === "location") {
    pyodide.globals.set("location", msg.location);
    await runReported(LOCATION_CODE);
  }
};
