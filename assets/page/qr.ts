/**
 * QR codes of links: drawn as SVG elements on the page, and downloadable as an SVG file and a PNG. The data
 * are links, ASCII only (percent-encoded), which lean-qr's nano build (byte mode, 2 KB gzipped) encodes as is.
 */
import { correction, generate } from 'lean-qr/nano';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The quiet zone the QR standard asks for: 4 modules of light on every side. */
const MARGIN = 4;
/** The most a QR code holds in byte mode at level M (version 40): longer data are refused before encoding. */
export const MAX_QR_BYTES = 2331;
/** PNG downloads are at least this many pixels wide: sharp when printed at 8 cm. */
const PNG_MIN_PIXELS = 1024;

export type Qr = { data: string; count: number; isDark: (row: number, col: number) => boolean };

/** The QR code of `data`, or why there is none. */
export function makeQr(data: string): Qr | string {
  try {
    if (data.length > MAX_QR_BYTES) throw new RangeError('too long');
    const code = generate(data, { minCorrectionLevel: correction.M });
    return { data, count: code.size, isDark: (row, col) => code.get(col, row) };
  } catch {
    const length = data.length.toLocaleString('en-US');
    return `Too long for a QR code (${length} characters in the link): shorten the message.`;
  }
}

/** The dark modules as one SVG path, a run of dark modules per rectangle (numbers only). */
function darkPath(qr: Qr): string {
  let path = '';
  for (let row = 0; row < qr.count; row += 1) {
    for (let col = 0; col < qr.count; ) {
      if (!qr.isDark(row, col)) {
        col += 1;
        continue;
      }
      let run = 1;
      while (col + run < qr.count && qr.isDark(row, col + run)) run += 1;
      path += `M${col + MARGIN} ${row + MARGIN}h${run}v1h-${run}z`;
      col += run;
    }
  }
  return path;
}

const side = (qr: Qr) => qr.count + 2 * MARGIN;

/** The code as an <svg> element (white tile, black modules: scanners need the contrast in dark mode too). */
export function qrElement(qr: Qr, label: string): SVGSVGElement {
  const size = String(side(qr));
  const svg = document.createElementNS(SVG_NS, 'svg');
  const attributes = {
    viewBox: `0 0 ${size} ${size}`,
    role: 'img',
    'aria-label': label,
    'shape-rendering': 'crispEdges',
  };
  for (const [key, value] of Object.entries(attributes)) svg.setAttribute(key, value);
  const rect = document.createElementNS(SVG_NS, 'rect');
  rect.setAttribute('width', size);
  rect.setAttribute('height', size);
  rect.setAttribute('fill', '#fff');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', darkPath(qr));
  path.setAttribute('fill', '#000');
  svg.append(rect, path);
  return svg;
}

function save(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the code as `<fileName>.svg` (10 mm per 25 modules when opened at 96 dpi) or `.png`. */
export function downloadQr(qr: Qr, fileName: string, format: 'svg' | 'png'): void {
  if (format === 'svg') {
    const svg = qrElement(qr, `QR code of ${qr.data}`);
    svg.setAttribute('width', String(side(qr) * 8));
    svg.setAttribute('height', String(side(qr) * 8));
    svg.setAttribute('xmlns', SVG_NS);
    save(new Blob([new XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' }), `${fileName}.svg`);
    return;
  }
  const scale = Math.ceil(PNG_MIN_PIXELS / side(qr));
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = side(qr) * scale;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#000';
  for (let row = 0; row < qr.count; row += 1) {
    for (let col = 0; col < qr.count; col += 1) {
      if (qr.isDark(row, col)) context.fillRect((col + MARGIN) * scale, (row + MARGIN) * scale, scale, scale);
    }
  }
  canvas.toBlob((blob) => blob && save(blob, `${fileName}.png`), 'image/png');
}
