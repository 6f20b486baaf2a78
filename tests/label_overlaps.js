// Each label's box as drawn (rotated: its four corners on screen), and how many pairs of
// them overlap (separating axis test on the two quadrilaterals); written into #result.
const quads = [...document.querySelectorAll('#graph text')].map(t => {
  const b = t.getBBox(), m = t.getScreenCTM();
  return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
          [b.x, b.y + b.height]].map(([x, y]) => [m.a * x + m.c * y + m.e,
                                                 m.b * x + m.d * y + m.f]);
});
const apart = (p, q) => [p, q].some(poly => poly.some((c, i) => {
  const d = poly[(i + 1) % 4], ax = d[1] - c[1], ay = c[0] - d[0];
  const proj = s => s.map(([x, y]) => x * ax + y * ay);
  const a = proj(p), b = proj(q);
  return Math.max(...a) <= Math.min(...b) || Math.max(...b) <= Math.min(...a);
}));
let overlaps = 0;
for (let i = 0; i < quads.length; i++)
  for (let j = i + 1; j < quads.length; j++) if (!apart(quads[i], quads[j])) overlaps++;
document.getElementById('result').textContent = quads.length + ' labels, ' + overlaps +
  ' overlaps';
