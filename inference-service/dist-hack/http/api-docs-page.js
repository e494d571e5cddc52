import { HEALTH_PATHS } from "../routes/health-routes.js";
const PUBLIC_PATHS = Object.values(HEALTH_PATHS);
export function renderApiDocsPage(document) {
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })));
    const operationHtml = operations
        .map(({ path, method, operation }) => {
        const body = operation.requestBody?.content?.['application/json']?.schema;
        const responses = Object.entries(operation.responses ?? {})
            .map(([status, response]) => `<li><code>${status}</code> ${escape(response.description ?? '')}</li>`)
            .join('');
        return `<section id="${escape(operation.operationId ?? path)}">
  <h3><span class="method">${method}</span> <code>${escape(path)}</code></h3>
  <p>${escape(operation.summary ?? '')}</p>${operation.description ? `<p>${escape(operation.description)}</p>` : ''}
  ${body ? `<details><summary>Request body schema</summary><pre>${escape(JSON.stringify(body, null, 2))}</pre></details>` : ''}
  <ul>${responses}</ul>
</section>`;
    })
        .join('\n');
    const schemas = Object.entries(document.components?.schemas ?? {})
        .map(([name, schema]) => `<details id="schema-${escape(name)}"><summary>${escape(name)}</summary><pre>${escape(JSON.stringify(schema, null, 2))}</pre></details>`)
        .join('\n');
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(document.info.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#181818;line-height:1.45}
code,pre{font-family:ui-monospace,monospace}pre{background:#f3f3f3;padding:.75rem;overflow:auto;border-radius:4px}
.method{display:inline-block;min-width:3.5rem;font-size:.8rem;background:#0176d3;color:#fff;border-radius:3px;padding:.1rem .4rem;text-align:center}
section{border-top:1px solid #ddd;padding:.5rem 0}
</style>
</head>
<body>
<h1>${escape(document.info.title)} <small>${escape(document.info.version)}</small></h1>
<p>${escape(document.info.description ?? '')}</p>
<p>Every route except ${PUBLIC_PATHS.map((p) => `<code>${p}</code>`).join(', ')} needs the service key:
<code>Authorization: Bearer &lt;key&gt;</code> or <code>X-API-Key: &lt;key&gt;</code>.
Errors are <code>{"error": {"code", "message"}}</code> with stable codes. The machine-readable spec is at
<a href="openapi.json"><code>/openapi.json</code></a>.</p>
<h2>Operations</h2>
${operationHtml}
<h2>Schemas</h2>
${schemas}
</body>
</html>`;
}
function escape(text) {
    return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
}
