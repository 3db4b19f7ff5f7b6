// QR codes as SVG, made in the browser (qrcode-generator, pinned; nothing fetched).
import qrcode from "qrcode-generator";

const SVG = "http://www.w3.org/2000/svg";

/** An SVG QR code of `text` (error correction M, 4-module quiet zone), built as DOM
 * nodes: one path of dark modules, nothing parsed from a string. */
export function qrSvg(text: string, label: string): SVGSVGElement {
  const code = qrcode(0, "M");
  code.addData(text, "Byte");
  code.make();
  const n = code.getModuleCount();
  const quiet = 4;
  const size = n + 2 * quiet;
  let d = "";
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (code.isDark(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`;
    }
  }
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("class", "qr");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  return svg;
}
