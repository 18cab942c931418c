// A small Jinja2 evaluator for the expressions Kubespray's variable files use (download URLs, versions,
// `enabled:` conditions, checksums), so the bundle's file list is read from the release's own tree instead
// of being typed by hand. It covers what those files need — names, attributes, subscripts and slices,
// literals, `if/else`, and/or/not, comparisons, `in`, `~`/`+`, the `version`/`defined`/`none` tests, the
// filters they call and `lookup('vars', …)` — and refuses anything else by name, so an expression it does not
// know is an error, never a silently wrong URL.

export class UndefinedError extends Error {
  constructor(readonly variable: string) {
    super(`'${variable}' is undefined`);
  }
}

export class TemplateError extends Error {}

export type Value = unknown;

/** Where names come from; `get` throws UndefinedError for an unknown one. */
export interface Scope {
  get(name: string): Value;
  has(name: string): boolean;
}

type Node =
  | { t: 'lit'; v: Value }
  | { t: 'name'; n: string }
  | { t: 'list'; items: Node[] }
  | { t: 'dict'; items: [Node, Node][] }
  | { t: 'attr'; o: Node; n: string }
  | { t: 'index'; o: Node; i: Node }
  | { t: 'slice'; o: Node; a?: Node; b?: Node }
  | { t: 'call'; f: Node; args: Node[] }
  | { t: 'filter'; o: Node; n: string; args: Node[] }
  | { t: 'test'; o: Node; n: string; args: Node[]; neg: boolean }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'not'; o: Node }
  | { t: 'neg'; o: Node }
  | { t: 'cond'; c: Node; a: Node; b?: Node };

interface Tok {
  k: 'num' | 'str' | 'name' | 'op' | 'end';
  v: string;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1] as string;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new TemplateError(`unclosed string in: ${src}`);
      out.push({ k: 'str', v: s });
      i = j + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ k: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ k: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = /^(==|!=|<=|>=|\/\/|\*\*|[()[\]{}.,:|~+\-*/%<>=])/.exec(src.slice(i));
    if (!op) throw new TemplateError(`unexpected '${c}' in: ${src}`);
    out.push({ k: 'op', v: op[0] });
    i += op[0].length;
  }
  out.push({ k: 'end', v: '' });
  return out;
}

class Parser {
  private p = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  private peek(o = 0): Tok {
    return this.toks[Math.min(this.p + o, this.toks.length - 1)] as Tok;
  }
  private next(): Tok {
    return this.toks[this.p++] as Tok;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private isWord(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.k === 'name' && t.v === v;
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.v !== v) throw new TemplateError(`expected '${v}' but found '${t.v || 'the end'}' in: ${this.src}`);
  }

  parseAll(): Node {
    const n = this.expr();
    if (this.peek().k !== 'end') throw new TemplateError(`unexpected '${this.peek().v}' in: ${this.src}`);
    return n;
  }

  expr(): Node {
    const a = this.or();
    if (this.isWord('if')) {
      this.next();
      const c = this.or();
      let b: Node | undefined;
      if (this.isWord('else')) {
        this.next();
        b = this.expr();
      }
      return { t: 'cond', c, a, ...(b ? { b } : {}) };
    }
    return a;
  }
  private or(): Node {
    let l = this.and();
    while (this.isWord('or')) {
      this.next();
      l = { t: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }
  private and(): Node {
    let l = this.not();
    while (this.isWord('and')) {
      this.next();
      l = { t: 'bin', op: 'and', l, r: this.not() };
    }
    return l;
  }
  private not(): Node {
    if (this.isWord('not')) {
      this.next();
      return { t: 'not', o: this.not() };
    }
    return this.compare();
  }
  private compare(): Node {
    let l = this.concat();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) {
        this.next();
        l = { t: 'bin', op: t.v, l, r: this.concat() };
      } else if (this.isWord('in')) {
        this.next();
        l = { t: 'bin', op: 'in', l, r: this.concat() };
      } else if (this.isWord('not') && this.isWord('in', 1)) {
        this.next();
        this.next();
        l = { t: 'not', o: { t: 'bin', op: 'in', l, r: this.concat() } };
      } else if (this.isWord('is')) {
        this.next();
        let neg = false;
        if (this.isWord('not')) {
          this.next();
          neg = true;
        }
        const n = this.next();
        if (n.k !== 'name') throw new TemplateError(`expected a test name after 'is' in: ${this.src}`);
        const args = this.isOp('(') ? this.args() : [];
        l = { t: 'test', o: l, n: n.v, args, neg };
      } else return l;
    }
  }
  private concat(): Node {
    let l = this.add();
    while (this.isOp('~')) {
      this.next();
      l = { t: 'bin', op: '~', l, r: this.add() };
    }
    return l;
  }
  private add(): Node {
    let l = this.mul();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().v;
      l = { t: 'bin', op, l, r: this.mul() };
    }
    return l;
  }
  private mul(): Node {
    let l = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%') || this.isOp('//')) {
      const op = this.next().v;
      l = { t: 'bin', op, l, r: this.unary() };
    }
    return l;
  }
  private unary(): Node {
    if (this.isOp('-')) {
      this.next();
      return { t: 'neg', o: this.unary() };
    }
    return this.postfix();
  }
  private args(): Node[] {
    this.expect('(');
    const out: Node[] = [];
    while (!this.isOp(')')) {
      // keyword arguments (`default(x, true)` is positional; `name=value` is kept by position, value only)
      if (this.peek().k === 'name' && this.peek(1).k === 'op' && this.peek(1).v === '=') {
        this.next();
        this.next();
      }
      out.push(this.expr());
      if (!this.isOp(')')) this.expect(',');
    }
    this.expect(')');
    return out;
  }
  private postfix(): Node {
    let n = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const name = this.next();
        if (name.k !== 'name' && name.k !== 'num') throw new TemplateError(`expected an attribute after '.' in: ${this.src}`);
        n = { t: 'attr', o: n, n: name.v };
      } else if (this.isOp('[')) {
        this.next();
        let a: Node | undefined;
        if (!this.isOp(':')) a = this.expr();
        if (this.isOp(':')) {
          this.next();
          const b = this.isOp(']') ? undefined : this.expr();
          this.expect(']');
          n = { t: 'slice', o: n, ...(a ? { a } : {}), ...(b ? { b } : {}) };
        } else {
          this.expect(']');
          n = { t: 'index', o: n, i: a as Node };
        }
      } else if (this.isOp('(')) {
        n = { t: 'call', f: n, args: this.args() };
      } else if (this.isOp('|')) {
        this.next();
        const name = this.next();
        if (name.k !== 'name') throw new TemplateError(`expected a filter name after '|' in: ${this.src}`);
        n = { t: 'filter', o: n, n: name.v, args: this.isOp('(') ? this.args() : [] };
      } else return n;
    }
  }
  private primary(): Node {
    const t = this.next();
    if (t.k === 'num') return { t: 'lit', v: Number(t.v) };
    if (t.k === 'str') {
      let s = t.v;
      while (this.peek().k === 'str') s += this.next().v; // adjacent literals concatenate, as in Python
      return { t: 'lit', v: s };
    }
    if (t.k === 'name') {
      if (t.v === 'true' || t.v === 'True') return { t: 'lit', v: true };
      if (t.v === 'false' || t.v === 'False') return { t: 'lit', v: false };
      if (t.v === 'none' || t.v === 'None') return { t: 'lit', v: null };
      return { t: 'name', n: t.v };
    }
    if (t.v === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (t.v === '[') {
      const items: Node[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (!this.isOp(']')) this.expect(',');
      }
      this.expect(']');
      return { t: 'list', items };
    }
    if (t.v === '{') {
      const items: [Node, Node][] = [];
      while (!this.isOp('}')) {
        const k = this.expr();
        this.expect(':');
        items.push([k, this.expr()]);
        if (!this.isOp('}')) this.expect(',');
      }
      this.expect('}');
      return { t: 'dict', items };
    }
    throw new TemplateError(`unexpected '${t.v || 'end'}' in: ${this.src}`);
  }
}

const parsed = new Map<string, Node>();

export function parseExpression(src: string): Node {
  let n = parsed.get(src);
  if (!n) {
    n = new Parser(tokenize(src), src).parseAll();
    parsed.set(src, n);
  }
  return n;
}

/** Python's str() of a value, as Jinja prints it inside a larger string. */
export function pyStr(v: Value): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : pyStr(x))).join(', ')}]`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}

/** Compares dotted versions numerically (`1.30.5` > `1.9`), as Ansible's `version` test does by default. */
export function compareVersion(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.+-]/);
  const pb = b.replace(/^v/, '').split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx < ny ? -1 : 1;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function eq(a: Value, b: Value): boolean {
  // Python: 1 == '1' is False, and so is it here (JSON keeps the types apart).
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Python regex → JS: the named-group and inline-flag spellings Ansible's filters allow. */
function pyRegex(pattern: string, flags = ''): RegExp {
  return new RegExp(pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), flags);
}

type Renderer = (text: string, scope: Scope) => Value;

export class Evaluator {
  constructor(
    private readonly scope: Scope,
    private readonly render: Renderer,
  ) {}

  /** A value read from a variable may itself be a template (Ansible templates lazily, on access). */
  private lazy(v: Value): Value {
    return typeof v === 'string' && /\{\{|\{%/.test(v) ? this.render(v, this.scope) : v;
  }

  eval(n: Node): Value {
    switch (n.t) {
      case 'lit':
        return n.v;
      case 'name':
        return this.lazy(this.scope.get(n.n));
      case 'list':
        return n.items.map((i) => this.eval(i));
      case 'dict':
        return Object.fromEntries(n.items.map(([k, v]) => [String(this.eval(k)), this.eval(v)]));
      case 'attr':
      case 'index': {
        const o = this.eval(n.o);
        const key = n.t === 'attr' ? n.n : this.eval(n.i);
        return this.lazy(this.member(o, key, n));
      }
      case 'slice': {
        const o = this.eval(n.o);
        const a = n.a ? Number(this.eval(n.a)) : undefined;
        const b = n.b ? Number(this.eval(n.b)) : undefined;
        if (typeof o === 'string' || Array.isArray(o)) return o.slice(a ?? 0, b);
        throw new TemplateError(`cannot slice ${pyStr(o)}`);
      }
      case 'call':
        return this.call(n);
      case 'filter':
        return this.filter(n);
      case 'test': {
        const r = this.test(n);
        return n.neg ? !r : r;
      }
      case 'not':
        return !truthy(this.eval(n.o));
      case 'neg':
        return -Number(this.eval(n.o));
      case 'cond':
        return truthy(this.eval(n.c)) ? this.eval(n.a) : n.b ? this.eval(n.b) : '';
      case 'bin':
        return this.bin(n.op, n.l, n.r);
    }
  }

  private member(o: Value, key: Value, n: Node): Value {
    if (Array.isArray(o)) {
      const i = Number(key);
      const v = o[i < 0 ? o.length + i : i];
      if (v === undefined) throw new UndefinedError(`${describe(n)}`);
      return v;
    }
    if (typeof o === 'string' && typeof key === 'number') return o[key];
    if (o && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, String(key))) return (o as Record<string, Value>)[String(key)];
    throw new UndefinedError(describe(n));
  }

  private bin(op: string, ln: Node, rn: Node): Value {
    if (op === 'and') {
      const l = this.eval(ln);
      return truthy(l) ? this.eval(rn) : l;
    }
    if (op === 'or') {
      const l = this.eval(ln);
      return truthy(l) ? l : this.eval(rn);
    }
    const l = this.eval(ln);
    const r = this.eval(rn);
    switch (op) {
      case '==':
        return eq(l, r);
      case '!=':
        return !eq(l, r);
      case '<':
        return (l as number) < (r as number);
      case '>':
        return (l as number) > (r as number);
      case '<=':
        return (l as number) <= (r as number);
      case '>=':
        return (l as number) >= (r as number);
      case 'in':
        if (Array.isArray(r)) return r.some((x) => eq(x, l));
        if (typeof r === 'string') return r.includes(String(l));
        if (r && typeof r === 'object') return Object.prototype.hasOwnProperty.call(r, String(l));
        throw new TemplateError(`'in' needs a list, string or mapping, not ${pyStr(r)}`);
      case '~':
        return pyStr(l) + pyStr(r);
      case '+':
        if (typeof l === 'number' && typeof r === 'number') return l + r;
        if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
        if (typeof l === 'string' && typeof r === 'string') return l + r;
        throw new TemplateError(`cannot add ${pyStr(l)} and ${pyStr(r)}`);
      case '-':
        return Number(l) - Number(r);
      case '*':
        return Number(l) * Number(r);
      case '/':
        return Number(l) / Number(r);
      case '//':
        return Math.floor(Number(l) / Number(r));
      case '%':
        return Number(l) % Number(r);
    }
    throw new TemplateError(`operator ${op} is not supported`);
  }

  private call(n: Extract<Node, { t: 'call' }>): Value {
    if (n.f.t === 'name' && n.f.n === 'lookup') {
      const [kind, name] = n.args.map((a) => this.eval(a));
      if (kind === 'vars') return this.lazy(this.scope.get(String(name)));
      // The environment the playbook runs in, when the caller knows it (the installer starts ansible itself);
      // else undecided. An unset variable reads as '' there, as in Ansible.
      if (kind === 'env') {
        if (!this.scope.has('__env__')) throw new UndefinedError(`lookup('env', '${String(name)}')`);
        const env = this.scope.get('__env__') as Record<string, string>;
        return env[String(name)] ?? '';
      }
      throw new TemplateError(`lookup('${String(kind)}') is not supported`);
    }
    // Methods of str that the variable files call.
    if (n.f.t === 'attr') {
      const o = this.eval(n.f.o);
      const args = n.args.map((a) => this.eval(a));
      if (typeof o === 'string') {
        switch (n.f.n) {
          case 'split':
            return args[0] === undefined ? o.trim().split(/\s+/) : o.split(String(args[0]));
          case 'lower':
            return o.toLowerCase();
          case 'upper':
            return o.toUpperCase();
          case 'strip':
            return o.trim();
          case 'startswith':
            return o.startsWith(String(args[0]));
          case 'endswith':
            return o.endsWith(String(args[0]));
          case 'replace':
            return o.split(String(args[0])).join(String(args[1]));
        }
      }
      if (o && typeof o === 'object' && !Array.isArray(o) && (n.f.n === 'keys' || n.f.n === 'values' || n.f.n === 'items')) {
        const rec = o as Record<string, Value>;
        return n.f.n === 'keys' ? Object.keys(rec) : n.f.n === 'values' ? Object.values(rec) : Object.entries(rec);
      }
      if (o && typeof o === 'object' && !Array.isArray(o) && n.f.n === 'get') {
        const rec = o as Record<string, Value>;
        return Object.prototype.hasOwnProperty.call(rec, String(args[0])) ? rec[String(args[0])] : (args[1] ?? null);
      }
    }
    throw new TemplateError(`function ${describe(n.f)}() is not supported`);
  }

  private filter(n: Extract<Node, { t: 'filter' }>): Value {
    if (n.n === 'default' || n.n === 'd') {
      let v: Value;
      try {
        v = this.eval(n.o);
      } catch (e) {
        if (e instanceof UndefinedError) return n.args[0] ? this.eval(n.args[0]) : '';
        throw e;
      }
      if (n.args[1] && truthy(this.eval(n.args[1])) && !truthy(v)) return n.args[0] ? this.eval(n.args[0]) : '';
      return v;
    }
    const v = this.eval(n.o);
    const args = n.args.map((a) => this.eval(a));
    switch (n.n) {
      case 'lower':
        return pyStr(v).toLowerCase();
      case 'upper':
        return pyStr(v).toUpperCase();
      case 'string':
        return pyStr(v);
      case 'trim':
        return pyStr(v).trim();
      case 'int':
        return Number.parseInt(pyStr(v), 10) || 0;
      case 'float':
        return Number.parseFloat(pyStr(v)) || 0;
      case 'bool':
        return typeof v === 'string' ? /^(yes|on|1|true)$/i.test(v.trim()) : truthy(v);
      case 'length':
      case 'count':
        return Array.isArray(v) ? v.length : typeof v === 'string' ? v.length : Object.keys(v as object).length;
      case 'list':
        return Array.isArray(v) ? v : typeof v === 'string' ? [...v] : Object.keys(v as object);
      case 'first':
        return (v as Value[])[0];
      case 'last':
        return (v as Value[])[(v as Value[]).length - 1];
      case 'join':
        return (v as Value[]).map(pyStr).join(args[0] === undefined ? '' : String(args[0]));
      case 'split':
        return args[0] === undefined ? pyStr(v).trim().split(/\s+/) : pyStr(v).split(String(args[0]));
      case 'replace':
        return pyStr(v).split(String(args[0])).join(String(args[1]));
      case 'regex_replace':
        return pyStr(v).replace(pyRegex(String(args[0]), 'g'), String(args[1] ?? '').replace(/\\(\d)/g, '$$$1'));
      case 'dict2items':
        return Object.entries(v as Record<string, Value>).map(([key, value]) => ({ key, value }));
      case 'items2dict':
        return Object.fromEntries((v as { key: string; value: Value }[]).map((i) => [i.key, i.value]));
      case 'combine':
        return Object.assign({}, v as object, ...(args as object[]));
      case 'ternary':
        return truthy(v) ? args[0] : args[1];
      case 'unique':
        return [...new Set(v as Value[])];
      case 'flatten':
        return (v as Value[]).flat(args[0] === undefined ? Infinity : Number(args[0]));
      case 'to_json':
        return JSON.stringify(v);
    }
    throw new TemplateError(`filter '${n.n}' is not supported`);
  }

  private test(n: Extract<Node, { t: 'test' }>): boolean {
    if (n.n === 'defined' || n.n === 'undefined') {
      let ok = true;
      try {
        this.eval(n.o);
      } catch (e) {
        if (!(e instanceof UndefinedError)) throw e;
        ok = false;
      }
      return n.n === 'defined' ? ok : !ok;
    }
    const v = this.eval(n.o);
    const args = n.args.map((a) => this.eval(a));
    switch (n.n) {
      case 'none':
        return v === null || v === undefined;
      case 'string':
        return typeof v === 'string';
      case 'number':
        return typeof v === 'number';
      case 'mapping':
        return !!v && typeof v === 'object' && !Array.isArray(v);
      case 'sequence':
      case 'iterable':
        return Array.isArray(v) || typeof v === 'string';
      case 'boolean':
        return typeof v === 'boolean';
      case 'version':
      case 'version_compare': {
        const c = compareVersion(pyStr(v), pyStr(args[0]));
        const op = String(args[1] ?? 'eq');
        const table: Record<string, boolean> = {
          '<': c < 0, lt: c < 0, '<=': c <= 0, le: c <= 0, '>': c > 0, gt: c > 0, '>=': c >= 0, ge: c >= 0,
          '==': c === 0, '=': c === 0, eq: c === 0, '!=': c !== 0, '<>': c !== 0, ne: c !== 0,
        };
        if (!(op in table)) throw new TemplateError(`version test operator '${op}' is not supported`);
        return table[op] as boolean;
      }
    }
    throw new TemplateError(`test '${n.n}' is not supported`);
  }
}

function describe(n: Node): string {
  switch (n.t) {
    case 'name':
      return n.n;
    case 'attr':
      return `${describe(n.o)}.${n.n}`;
    case 'index':
      return `${describe(n.o)}[${n.i.t === 'lit' ? JSON.stringify(n.i.v) : describe(n.i)}]`;
    case 'lit':
      return JSON.stringify(n.v);
    default:
      return n.t;
  }
}

/** Evaluates one expression (the inside of `{{ … }}`). */
export function evaluate(expr: string, scope: Scope): Value {
  return new Evaluator(scope, renderTemplate).eval(parseExpression(expr));
}

type Piece = { k: 'text'; v: string } | { k: 'expr'; v: string } | { k: 'stmt'; v: string };

function split(text: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < text.length) {
    const m = /\{\{|\{%|\{#/.exec(text.slice(i));
    if (!m) {
      out.push({ k: 'text', v: trimNext ? text.slice(i).trimStart() : text.slice(i) });
      break;
    }
    let lit = text.slice(i, i + m.index);
    if (trimNext) lit = lit.trimStart();
    const open = m[0];
    const start = i + m.index + 2;
    const close = open === '{{' ? '}}' : open === '{%' ? '%}' : '#}';
    const end = text.indexOf(close, start);
    if (end < 0) throw new TemplateError(`unclosed ${open} in: ${text}`);
    let inner = text.slice(start, end);
    if (inner.startsWith('-')) {
      lit = lit.trimEnd();
      inner = inner.slice(1);
    }
    trimNext = inner.endsWith('-');
    if (trimNext) inner = inner.slice(0, -1);
    if (lit) out.push({ k: 'text', v: lit });
    i = end + 2;
    if (open === '{#') continue;
    if (open === '{%' && inner.trim() === 'raw') {
      const endRaw = /\{%-?\s*endraw\s*-?%\}/.exec(text.slice(i));
      if (!endRaw) throw new TemplateError(`unclosed raw block in: ${text}`);
      out.push({ k: 'text', v: text.slice(i, i + endRaw.index) });
      i += endRaw.index + endRaw[0].length;
      continue;
    }
    out.push({ k: open === '{{' ? 'expr' : 'stmt', v: inner.trim() });
  }
  return out;
}

/** Renders a template string. A template that is one `{{ expr }}` and nothing else gives the value itself
 *  (a list, a bool…), as Ansible does; anything else gives a string. */
export function renderTemplate(text: string, scope: Scope): Value {
  const pieces = split(text);
  if (pieces.length === 1 && pieces[0]?.k === 'expr') return evaluate(pieces[0].v, scope);
  let out = '';
  // if/elif/else/endif, nested: each level remembers whether it is emitting and whether a branch was taken.
  const stack: { emit: boolean; taken: boolean; outer: boolean }[] = [];
  const emitting = () => stack.every((s) => s.emit);
  for (const p of pieces) {
    if (p.k === 'text') {
      if (emitting()) out += p.v;
    } else if (p.k === 'expr') {
      if (emitting()) out += pyStr(evaluate(p.v, scope));
    } else {
      const [word, ...rest] = p.v.split(/\s+/);
      const cond = rest.join(' ');
      if (word === 'if') {
        const outer = emitting();
        const c = outer && truthy(evaluate(cond, scope));
        stack.push({ emit: c, taken: c, outer });
      } else if (word === 'elif' || word === 'else') {
        const top = stack[stack.length - 1];
        if (!top) throw new TemplateError(`{% ${word} %} without {% if %} in: ${text}`);
        if (top.taken || !top.outer) top.emit = false;
        else {
          top.emit = word === 'else' || truthy(evaluate(cond, scope));
          top.taken = top.emit;
        }
      } else if (word === 'endif') {
        if (!stack.pop()) throw new TemplateError(`{% endif %} without {% if %} in: ${text}`);
      } else throw new TemplateError(`{% ${word} %} is not supported`);
    }
  }
  if (stack.length) throw new TemplateError(`unclosed {% if %} in: ${text}`);
  return out;
}
