/* report_html.c — the page of `retain report`: the data document embedded
 * in a <script type="application/json"> element ('<' escaped, so no
 * string in it can end the element), and a small script that renders it.
 * The dominator tree's children are built on first expansion, so the page
 * stays light with thousands of nodes. */
#include "report/report.h"

static const char head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>retain report</title>\n<style>\n"
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}\n"
    "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}\n"
    "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr:nth-child(even){background:#f4f4f4}code,.mono{font-family:ui-monospace,monospace;font-size:13px}\n"
    ".suspect{border:1px solid #ddd;border-left:4px solid #c33;padding:.5em 1em;margin:1em 0}\n"
    ".suspect h3{margin:.2em 0;font-size:1.05em}.path li,.alloc li{font-family:ui-monospace,monospace;font-size:13px}\n"
    ".tree ul{list-style:none;padding-left:1.4em;margin:0}.tree li{margin:1px 0}\n"
    ".toggle{cursor:pointer;user-select:none;display:inline-block;width:1.2em;color:#555}\n"
    ".bytes{color:#555;font-variant-numeric:tabular-nums}.warn{color:#a60}.growth{color:#a00}\n"
    "</style></head><body>\n<h1>retain report</h1>\n<div id=\"app\">Loading…</div>\n"
    "<script>window.__errors=[];window.addEventListener('error',e=>window.__errors.push(String(e.message)));</script>\n"
    "<script type=\"application/json\" id=\"data\">";

static const char tail[] =
    "</script>\n<script>\n"
    "'use strict';\n"
    "const D=JSON.parse(document.getElementById('data').textContent);\n"
    "function B(n){const u=['B','KiB','MiB','GiB','TiB'];let i=0;while(n>=1024&&i<4){n/=1024;i++}"
    "return (i?n.toFixed(1):n)+' '+u[i]}\n"
    "function SB(n){return (n<0?'-':n>0?'+':'')+B(Math.abs(n))}\n"
    "function el(t,a,...c){const e=document.createElement(t);for(const k in a||{}){if(k==='class')e.className=a[k];"
    "else if(k.startsWith('on'))e.addEventListener(k.slice(2),a[k]);else e.setAttribute(k,a[k])}"
    "for(const x of c)e.append(x instanceof Node?x:document.createTextNode(String(x)));return e}\n"
    "function table(id,cols,rows){const t=el('table',{id:id});const h=el('tr');"
    "for(const c of cols)h.append(el('th',{class:c[2]||''},c[0]));t.append(h);"
    "for(const r of rows){const tr=el('tr');for(const c of cols)tr.append(el('td',{class:c[2]||''},c[1](r)));"
    "t.append(tr)}return t}\n"
    "function root(r){if(!r)return '';let s=r.kind+(r.name?' '+r.name:'');if(r.goroutine!==null)"
    "s+=' goroutine '+r.goroutine;if(r.function)s+=' '+r.function;if(r.variable)s+=' '+r.variable;return s}\n"
    "function suspect(s,i){const d=el('div',{class:'suspect',id:'suspect-'+i});"
    "d.append(el('h3',{},(i+1)+'. '+s.kind+': '+s.name+' — retains '+B(s.retained_bytes)+' ('+"
    "(100*s.share).toFixed(1)+'% of the heap)'));"
    "if(s.growth)d.append(el('div',{class:'growth'},'since the old snapshot: '+(s.growth.status==='new'?'new, ':'')+"
    "SB(s.growth.bytes)+(s.kind==='root'?' retained':', '+(s.growth.count>0?'+':'')+s.growth.count+' objects')));"
    "if(s.roots)d.append(el('div',{},'held together by: '+s.roots.map(root).join(', ')));"
    "if(s.path&&s.path.length){d.append(el('div',{},'shortest path from '+root(s.root)+':'));const ol=el('ol',{class:'path'});"
    "for(const h of s.path)ol.append(el('li',{},(h.field?h.field+' → ':'')+h.address+' '+h.type+' ('+B(h.size)+')'));"
    "d.append(ol)}"
    "if(s.alloc){d.append(el('div',{},'allocated at:'));const ul=el('ul',{class:'alloc'});"
    "for(const f of s.alloc.slice(0,8))ul.append(el('li',{},f.function+(f.file?' '+f.file+':'+f.line:'')));d.append(ul)}"
    "return d}\n"
    "const T=D.tree||[];const kids=T.map(()=>[]);T.forEach((n,i)=>{if(n[0]>=0)kids[n[0]].push(i)});\n"
    "function node(i){const n=T[i];const li=el('li',{'data-node':i});const open=el('span',{class:'toggle'},"
    "kids[i].length?'▸':'·');li.append(open,el('span',{},n[1]+' '),el('span',{class:'bytes'},'retains '+B(n[2])));"
    "if(n[4])li.append(el('span',{class:'bytes'},' ('+n[4]+' smaller children not shown)'));"
    "if(kids[i].length){let ul=null;open.addEventListener('click',()=>{if(!ul){ul=el('ul');"
    "for(const k of kids[i])ul.append(node(k));li.append(ul);open.textContent='▾'}else{"
    "const hide=ul.style.display!=='none';ul.style.display=hide?'none':'';open.textContent=hide?'▸':'▾'}})}"
    "return li}\n"
    "const app=document.getElementById('app');app.textContent='';const o=D.overview;\n"
    "app.append(el('p',{},D.inputs.path+(D.inputs.executable?' with '+D.inputs.executable:'')+"
    "(D.inputs.go_version?' ('+D.inputs.go_version+')':'')));\n"
    "app.append(el('h2',{},'Overview'),table('overview',[['',r=>r[0]],['',r=>r[1],'n']],["
    "['objects',o.objects],['bytes',B(o.bytes)],['reachable',o.reachable_objects+' objects, '+B(o.reachable_bytes)],"
    "['roots',o.roots],['goroutines',o.goroutines]]));\n"
    "for(const w of o.warnings)app.append(el('p',{class:'warn'},'warning: '+w));\n"
    "app.append(el('h2',{},'Leak suspects'));const sus=el('div',{id:'suspects'});"
    "D.suspects.forEach((s,i)=>sus.append(suspect(s,i)));app.append(sus);\n"
    "if(D.growth){const G=D.growth;app.append(el('h2',{},'Growth since '+G.old));"
    "for(const [k,what,col] of [['types','type','name'],['sites','allocating function','label'],['roots','root','name']]){"
    "if(!G[k])continue;app.append(el('h3',{},'By '+what),table('growth-'+k,[[what,r=>r[col]],"
    "['old',r=>r.old?B(r.old.bytes):'-','n'],['new',r=>r.new?B(r.new.bytes):'-','n'],['growth',r=>SB(r.delta.bytes),'n'],"
    "['objects',r=>(r.delta.count>0?'+':'')+r.delta.count,'n'],['',r=>r.status==='new'||r.status==='gone'?r.status:'']],G[k]))}}\n"
    "app.append(el('h2',{},'Dominator tree'),el('p',{},'Click ▸ to open a node: what it alone keeps alive.'));"
    "const tr=el('ul',{class:'tree',id:'tree'});if(T.length)tr.append(node(0));app.append(tr);\n"
    "app.append(el('h2',{},'By type'),table('types',[['type',r=>r.name],['count',r=>r.count,'n'],"
    "['bytes',r=>B(r.bytes),'n'],['retained',r=>B(r.retained_bytes),'n']],D.types));\n"
    "app.append(el('h2',{},'By allocation site'),table('sites',[['allocating function',r=>r.function||'(unknown)'],"
    "['objects',r=>r.count,'n'],['bytes',r=>B(r.bytes),'n'],['retained',r=>B(r.retained_bytes),'n']],D.sites));\n"
    "app.append(el('h2',{},'Goroutines'),table('goroutines',[['count',r=>r.count,'n'],['status',r=>r.status+"
    "(r.wait_reason?' ('+r.wait_reason+')':'')],['function',r=>r.function||'?'],['retained',r=>B(r.retained_bytes),'n']],"
    "D.goroutines));\n"
    /* #selftest (tests/report_browser.py): check the page in the browser
     * that loaded it and say so in a <pre id="selftest"> */
    "if(location.hash==='#selftest'){const r={errors:window.__errors||[]};"
    "r.suspects=document.querySelectorAll('#suspects .suspect').length;"
    "r.tree_before=document.querySelectorAll('#tree li').length;"
    "const t=document.querySelector('#tree .toggle');if(t)t.click();"
    "r.tree_after=document.querySelectorAll('#tree li').length;"
    "r.types=document.querySelectorAll('#types tr').length-1;r.sites=document.querySelectorAll('#sites tr').length-1;"
    "r.goroutines=document.querySelectorAll('#goroutines tr').length-1;"
    "r.growth=['types','sites','roots'].map(k=>Math.max(0,document.querySelectorAll('#growth-'+k+' tr').length-1));"
    "r.suspect_growth=document.querySelectorAll('#suspects .growth').length;"
    "document.body.append(el('pre',{id:'selftest'},JSON.stringify(r)))}\n"
    "</script>\n</body></html>\n";

void report_html(const char *data, size_t n, FILE *f)
{
    fputs(head, f);
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '<')
            fputs("\\u003c", f);
        else
            fputc(data[i], f);
    }
    fputs(tail, f);
}
