// Copies the built browser code Archivox serves from its own static files (no CDN): the Quill
// rich-text editor of the publishing desk's composer, Cropper.js for its cover cropper, and axe-core for the browser tests'
// accessibility scan. Run `npm ci && npm run build` here and commit what changed.
import { copyFileSync, mkdirSync } from "node:fs";

const copies = [
  ["node_modules/quill/dist/quill.js", "../archivox/publishing/static/publishing/vendor/quill.js"],
  ["node_modules/quill/dist/quill.js.LICENSE.txt", "../archivox/publishing/static/publishing/vendor/quill.js.LICENSE.txt"],
  ["node_modules/quill/LICENSE", "../archivox/publishing/static/publishing/vendor/QUILL-LICENSE"],
  ["node_modules/quill/dist/quill.snow.css", "../archivox/publishing/static/publishing/vendor/quill.snow.css"],
  ["node_modules/cropperjs/dist/cropper.min.js", "../archivox/publishing/static/publishing/vendor/cropper.min.js"],
  ["node_modules/cropperjs/dist/cropper.min.css", "../archivox/publishing/static/publishing/vendor/cropper.min.css"],
  ["node_modules/cropperjs/LICENSE", "../archivox/publishing/static/publishing/vendor/CROPPERJS-LICENSE"],
  ["node_modules/axe-core/axe.min.js", "../tests/browser/vendor/axe.min.js"],
  ["node_modules/axe-core/LICENSE", "../tests/browser/vendor/AXE-LICENSE"],
];
for (const [from, to] of copies) {
  mkdirSync(to.substring(0, to.lastIndexOf("/")), { recursive: true });
  copyFileSync(from, to);
  console.log(`${from} -> ${to}`);
}
