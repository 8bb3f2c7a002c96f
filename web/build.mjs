// Copy the dashboard's third-party browser code and map data from node_modules (installed by `npm ci` from
// package-lock.json) into src/newswatch/static/vendor, where the app serves them. Nothing here is fetched at
// run time and nothing third-party is committed. Run through `make assets`.
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const resolve = (path) => join(modules, path);
const out = join(here, "..", "src", "newswatch", "static", "vendor");

// UMD builds, in dependency order; each adds its functions to the global d3 (or topojson) object.
const scripts = [
  "d3-array/dist/d3-array.min.js",
  "d3-geo/dist/d3-geo.min.js",
  "d3-quadtree/dist/d3-quadtree.min.js",
  "d3-dispatch/dist/d3-dispatch.min.js",
  "d3-timer/dist/d3-timer.min.js",
  "d3-force/dist/d3-force.min.js",
  "topojson-client/dist/topojson-client.min.js",
];
const data = { "countries-110m.json": "world-atlas/countries-110m.json" };

const version = (name) => JSON.parse(readFileSync(resolve(`${name}/package.json`), "utf8")).version;
const pkg = (path) => path.split("/")[0];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const parts = scripts.map((path) => `/* ${pkg(path)} ${version(pkg(path))} (npm) */\n` + readFileSync(resolve(path), "utf8"));
writeFileSync(join(out, "vendor.js"), parts.join("\n;\n"));
for (const [name, path] of Object.entries(data)) copyFileSync(resolve(path), join(out, name));
const licences = [...new Set([...scripts, ...Object.values(data)].map(pkg))].map((name) => {
  const dir = dirname(resolve(`${name}/package.json`));
  let text = "";
  for (const file of ["LICENSE", "LICENSE.md", "LICENSE.txt"]) {
    try { text = readFileSync(join(dir, file), "utf8"); break; } catch {}
  }
  return `${name} ${version(name)}\n${text}`;
});
writeFileSync(join(out, "LICENSES.txt"), licences.join("\n\n"));
const manifest = {
  built_at: new Date().toISOString(),
  packages: Object.fromEntries([...new Set([...scripts, ...Object.values(data)].map(pkg))].map((n) => [n, version(n)])),
  files: ["vendor.js", ...Object.keys(data), "LICENSES.txt"],
};
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`dashboard assets written to ${out}`);
