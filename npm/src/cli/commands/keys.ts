/**
 * `alipay-f2f keys check <file>...` and `alipay-f2f keys convert <file>`:
 * what a key file is (kind, size, PKCS#1/PKCS#8/SPKI/X.509, PEM or bare
 * base64), whether the SDK accepts it, which keys belong together (the app
 * public key configured as the Alipay public key is the classic mistake),
 * and conversions between the formats the various SDKs want.
 *
 * Structure is read with `node:crypto`; the SDK verdict comes from the core
 * (`importPrivateKey` / `importPublicKey`), i.e. exactly what `AlipayClient`
 * would say.
 *
 * @module
 */

import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { dirname, resolve } from 'node:path'

import { AlipayError, importPrivateKey, importPublicKey } from '../../index.js'
import type { Ctx, Result } from './_shared.js'
import { CliError, EXIT_FAILED, EXIT_OK, UsageError, defineCommand, err, out, readText, writeFileAtomic } from './_shared.js'

/** What a key file holds. */
export interface KeyInfo {
  file: string
  /** `private`, `public`, `certificate`, or `unknown`. */
  kind: 'private' | 'public' | 'certificate' | 'unknown'
  /** `PEM` or `base64` (bare, as the Alipay console and Java want). */
  encoding?: 'PEM' | 'base64'
  /** PEM label, when PEM. */
  label?: string
  /** `PKCS#1`, `PKCS#8`, `SPKI`, `X.509`, `SEC1`. */
  format?: string
  /** `rsa`, `ec`, ... */
  algorithm?: string
  /** Modulus size (RSA). */
  bits?: number
  /** SHA-256 of the public key (SPKI DER), first 16 bytes hex: compare keys across files. */
  publicKeyFingerprint?: string
  /** X.509 subject / validity, for certificates. */
  certificate?: { subject: string; issuer: string; validFrom: string; validTo: string }
  /** Does the SDK accept it (as a private key / as an Alipay public key)? */
  sdk: { ok: boolean; code?: string; message?: string }
  /** Problems (errors make `check` fail) and notes. */
  problems: string[]
  notes: string[]
  /** A certificate bundle (root certificates), not a key. */
  bundle?: boolean
  /** @internal the public key, for matching */
  publicKey?: KeyObject
  /** @internal the private key, for conversion */
  privateKey?: KeyObject
}

const LABELS: Record<string, { kind: KeyInfo['kind']; format?: string }> = {
  'RSA PRIVATE KEY': { kind: 'private', format: 'PKCS#1' },
  'PRIVATE KEY': { kind: 'private', format: 'PKCS#8' },
  'ENCRYPTED PRIVATE KEY': { kind: 'private', format: 'PKCS#8 (encrypted)' },
  'EC PRIVATE KEY': { kind: 'private', format: 'SEC1' },
  'PUBLIC KEY': { kind: 'public', format: 'SPKI' },
  'RSA PUBLIC KEY': { kind: 'public', format: 'PKCS#1' },
  CERTIFICATE: { kind: 'certificate', format: 'X.509' },
}

function fingerprint(pub: KeyObject): string {
  const der = pub.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('hex').slice(0, 32)
}

function tryParse(der: Buffer): Pick<KeyInfo, 'kind' | 'format'> & { key?: KeyObject; cert?: X509Certificate } {
  const attempts: [KeyInfo['kind'], string, () => KeyObject][] = [
    ['private', 'PKCS#8', () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })],
    ['private', 'PKCS#1', () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })],
    ['private', 'SEC1', () => createPrivateKey({ key: der, format: 'der', type: 'sec1' })],
    ['public', 'SPKI', () => createPublicKey({ key: der, format: 'der', type: 'spki' })],
    ['public', 'PKCS#1', () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' })],
  ]
  for (const [kind, format, f] of attempts) {
    try {
      return { kind, format, key: f() }
    } catch {
      // next
    }
  }
  try {
    return { kind: 'certificate', format: 'X.509', cert: new X509Certificate(der) }
  } catch {
    return { kind: 'unknown' }
  }
}

/** Inspects one key text. */
export function inspectKey(file: string, text: string): KeyInfo {
  const info: KeyInfo = { file, kind: 'unknown', sdk: { ok: false }, problems: [], notes: [] }
  const t = text.replace(/^\uFEFF/, '')
  if (t.trim() === '') {
    info.problems.push('the file is empty')
    info.sdk = { ok: false, code: 'ERR_KEY_FORMAT', message: 'empty' }
    return info
  }
  let b64: string
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(t)
  if (begin) {
    info.encoding = 'PEM'
    info.label = begin[1]!
    const endRe = new RegExp(`-----END ${begin[1]}-----`)
    const end = endRe.exec(t)
    if (!end) {
      info.problems.push(`the PEM has no "-----END ${begin[1]}-----" line: truncated?`)
      b64 = t.slice(begin.index + begin[0].length)
    } else {
      b64 = t.slice(begin.index + begin[0].length, end.index)
      const rest = t.slice(end.index + end[0].length)
      if (/-----BEGIN /.test(rest)) {
        const n = (t.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length
        if (begin[1] === 'CERTIFICATE' && n > 1) {
          info.notes.push(`a bundle of ${n} certificates (like alipayRootCert.crt: it gives alipay_root_cert_sn, it is not a verification key); the first is described`)
          info.bundle = true
        } else {
          info.notes.push('the file holds more than one PEM block; only the first is described')
        }
      }
    }
    if (/\r\n/.test(t)) info.notes.push('CRLF line endings (tolerated)')
    if (/^\s+|\s+$/.test(t.slice(0, begin.index)) || /[ \t]/.test(b64)) info.notes.push('stray whitespace (tolerated by this SDK)')
  } else {
    info.encoding = 'base64'
    if (/-----END /.test(t)) info.problems.push('an "-----END" line without its "-----BEGIN" line')
    b64 = t
    if (/\s/.test(t.trim())) info.notes.push('line breaks/whitespace inside the base64 (tolerated by this SDK)')
  }
  const compact = b64.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    info.problems.push(`not base64: contains ${JSON.stringify(compact.match(/[^A-Za-z0-9+/=]/)?.[0] ?? '?')} (is this a key file at all?)`)
    return finishSdk(info, t)
  }
  if (compact.length < 100) {
    info.problems.push(`only ${compact.length} base64 characters: too short to be an RSA key (is this a key file at all?)`)
    return finishSdk(info, t)
  }
  if (compact.length % 4 !== 0) info.problems.push(`base64 length ${compact.length} is not a multiple of 4: truncated or a character was lost in copy-paste`)
  const der = Buffer.from(compact, 'base64')
  const parsed = tryParse(der)
  info.kind = parsed.kind
  info.format = parsed.format
  const expected = info.label ? LABELS[info.label] : undefined
  if (info.label && !expected) info.problems.push(`unknown PEM label "${info.label}"`)
  if (info.label === 'ENCRYPTED PRIVATE KEY') info.problems.push('the private key is password-protected: export it unencrypted (PKCS#1 or PKCS#8) for the SDK')
  if (parsed.kind === 'unknown') {
    if (expected) {
      info.kind = expected.kind
      info.format = expected.format
    }
    if (info.label !== 'ENCRYPTED PRIVATE KEY') info.problems.push('the DER content does not parse: the key is truncated or corrupted')
    return finishSdk(info, t)
  }
  if (expected && expected.format && (expected.kind !== parsed.kind || expected.format !== parsed.format)) {
    info.problems.push(
      `the PEM label says ${expected.format} ${expected.kind} ("${info.label}") but the content is ${parsed.format} ${parsed.kind}: fix the BEGIN/END lines (or convert with \`alipay-f2f keys convert\`)`,
    )
  }
  if (parsed.key) {
    const key = parsed.key
    info.algorithm = key.asymmetricKeyType
    const pub = key.type === 'private' ? createPublicKey(key) : key
    info.publicKey = pub
    if (key.type === 'private') info.privateKey = key
    info.bits = key.asymmetricKeyDetails?.modulusLength
    info.publicKeyFingerprint = fingerprint(pub)
  } else if (parsed.cert) {
    const c = parsed.cert
    info.certificate = { subject: c.subject.replace(/\n/g, ', '), issuer: c.issuer.replace(/\n/g, ', '), validFrom: c.validFrom, validTo: c.validTo }
    info.publicKey = c.publicKey
    info.algorithm = c.publicKey.asymmetricKeyType
    info.bits = c.publicKey.asymmetricKeyDetails?.modulusLength
    info.publicKeyFingerprint = fingerprint(c.publicKey)
    if (Date.parse(c.validTo) < Date.now()) info.problems.push(`the certificate expired on ${c.validTo}`)
  }
  if (info.algorithm && info.algorithm !== 'rsa') info.problems.push(`an ${info.algorithm.toUpperCase()} key: Alipay RSA/RSA2 needs an RSA key`)
  else if (info.bits !== undefined && info.bits < 2048) info.problems.push(`RSA ${info.bits} bits: RSA2 keys are 2048 bits (generate a new key pair with the Alipay key tool)`)
  return finishSdk(info, t)
}

/** Adds the SDK's own verdict (what AlipayClient would say). */
function finishSdk(info: KeyInfo, text: string): KeyInfo {
  if (info.bundle && info.problems.length === 0) {
    info.sdk = { ok: true, message: 'certificate bundle' }
    return info
  }
  const asPrivate = info.kind === 'private' || (info.kind === 'unknown' && /PRIVATE/.test(info.label ?? ''))
  try {
    if (asPrivate) importPrivateKey(text)
    else importPublicKey(text)
    info.sdk = { ok: true }
  } catch (e) {
    info.sdk = e instanceof AlipayError ? { ok: false, code: e.code, message: e.message } : { ok: false, code: 'ERR_KEY_FORMAT', message: String(e) }
    if (info.problems.length === 0) info.problems.push(`the SDK refuses it: ${info.sdk.code}: ${info.sdk.message}`)
  }
  return info
}

function publicJson(k: KeyInfo): Record<string, unknown> {
  const { publicKey: _p, privateKey: _k, ...rest } = k
  void _p
  void _k
  return rest
}

function describeKind(k: KeyInfo): string {
  const what =
    k.kind === 'private' ? 'private key' : k.kind === 'public' ? 'public key' : k.kind === 'certificate' ? 'certificate' : 'unrecognised content'
  const parts = [k.algorithm ? `${k.algorithm.toUpperCase()}${k.bits ? ` ${k.bits}-bit` : ''}` : '', what, k.format ? `(${k.format}` + (k.encoding ? `, ${k.encoding})` : ')') : k.encoding ? `(${k.encoding})` : '']
  return parts.filter(Boolean).join(' ')
}

async function check(ctx: Ctx): Promise<Result> {
  const roles: { file: string; role: 'private' | 'app-public' | 'alipay-public' }[] = []
  const add = (name: string, role: (typeof roles)[number]['role']) => {
    const v = ctx.values[name]
    for (const f of Array.isArray(v) ? v : typeof v === 'string' ? [v] : []) roles.push({ file: f, role })
  }
  add('private-key', 'private')
  add('app-public-key', 'app-public')
  add('alipay-public-key', 'alipay-public')
  // --config: the keys a gateway config file names (paths relative to it, or inline PEM)
  const inline = new Map<string, string>()
  const cfgPath = ctx.str('config')
  if (cfgPath) {
    let cfg: Record<string, unknown>
    try {
      cfg = JSON.parse(readText(cfgPath, 'config file')) as Record<string, unknown>
    } catch (e) {
      if (e instanceof CliError) throw e
      throw new CliError('ERR_INPUT', `config file ${cfgPath}: not valid JSON (${(e as Error).message})`)
    }
    if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new CliError('ERR_INPUT', `config file ${cfgPath}: expected a JSON object`)
    for (const [key, role] of [['privateKey', 'private'], ['alipayPublicKey', 'alipay-public']] as const) {
      const v = cfg[key]
      if (typeof v !== 'string') continue
      if (v.includes('-----BEGIN')) {
        const name = `${cfgPath}#${key}`
        inline.set(name, v)
        roles.push({ file: name, role })
      } else {
        roles.push({ file: resolve(dirname(resolve(cfgPath)), v), role })
      }
    }
    if (!roles.length) throw new CliError('ERR_INPUT', `config file ${cfgPath} names no privateKey / alipayPublicKey`)
  }
  const files = [...new Set([...ctx.positionals.slice(1), ...roles.map((r) => r.file)])]
  if (files.length === 0) throw new UsageError('give at least one key file')

  const infos: KeyInfo[] = []
  const problems: string[] = []
  for (const f of files) {
    try {
      infos.push(inspectKey(f, inline.get(f) ?? readText(f, 'key file')))
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      infos.push({ file: f, kind: 'unknown', sdk: { ok: false, code: 'ERR_FILE', message: msg }, problems: [msg], notes: [] })
    }
  }
  const byFile = new Map(infos.map((i) => [i.file, i]))
  const matches: { private: string; public: string }[] = []
  for (const p of infos.filter((i) => i.kind === 'private' && i.publicKeyFingerprint)) {
    for (const q of infos.filter((i) => i !== p && (i.kind === 'public' || i.kind === 'certificate') && i.publicKeyFingerprint)) {
      if (p.publicKeyFingerprint === q.publicKeyFingerprint) matches.push({ private: p.file, public: q.file })
    }
  }
  for (const r of roles) {
    const i = byFile.get(r.file)!
    if (r.role === 'private' && i.kind !== 'private' && i.kind !== 'unknown') {
      i.problems.push(`given as the app private key, but it is a ${i.kind === 'certificate' ? 'certificate' : 'public key'}`)
    }
    if ((r.role === 'alipay-public' || r.role === 'app-public') && i.kind === 'private') {
      i.problems.push(`given as ${r.role === 'alipay-public' ? 'the Alipay' : 'the app'} public key, but it is a PRIVATE key — never ship a private key where a public key belongs`)
    }
  }
  const privs = roles.filter((r) => r.role === 'private').map((r) => byFile.get(r.file)!)
  for (const r of roles.filter((x) => x.role === 'alipay-public')) {
    const a = byFile.get(r.file)!
    for (const p of privs) {
      if (a.publicKeyFingerprint && a.publicKeyFingerprint === p.publicKeyFingerprint) {
        a.problems.push(
          `ERR_KEY_MISMATCH: this "Alipay public key" is the app's OWN public key (it matches ${p.file}): every answer will fail verification. Use the 支付宝公钥 from the open platform console`,
        )
      }
    }
  }
  for (const r of roles.filter((x) => x.role === 'app-public')) {
    const a = byFile.get(r.file)!
    for (const p of privs) {
      if (a.publicKeyFingerprint && p.publicKeyFingerprint && a.publicKeyFingerprint !== p.publicKeyFingerprint) {
        a.problems.push(`does NOT match the app private key ${p.file}: the gateway will answer isv.invalid-signature. Upload the public key of ${p.file} (\`alipay-f2f keys convert ${p.file} --public\`)`)
      }
    }
  }

  for (const i of infos) {
    ctx.say(`${i.file}: ${describeKind(i)}`)
    if (i.certificate) ctx.say(`  subject ${i.certificate.subject}; valid ${i.certificate.validFrom} – ${i.certificate.validTo}`)
    if (i.publicKeyFingerprint) ctx.say(`  public key sha256 ${i.publicKeyFingerprint}`)
    const role = i.kind === 'private' ? 'an app private key' : 'a verification (Alipay public) key'
    if (!i.bundle) ctx.say(i.sdk.ok ? `  usable by this SDK as ${role}` : `  NOT usable by this SDK: ${i.sdk.code}: ${i.sdk.message}`)
    for (const n of i.notes) ctx.say(`  note: ${n}`)
    for (const p of i.problems) {
      ctx.say(`  PROBLEM: ${p}`)
      problems.push(`${i.file}: ${p}`)
    }
  }
  for (const pub of [...new Set(matches.map((m) => m.public))]) {
    const of = matches.filter((m) => m.public === pub).map((m) => m.private)
    ctx.say(`${pub} is the public key of ${of.join(', ')}: the APP public key (upload it to the console); never configure it as the Alipay public key`)
  }
  const ok = problems.length === 0
  if (!ok && !ctx.json) err(`alipay-f2f keys check: ${problems.length} problem${problems.length === 1 ? '' : 's'} found`)
  return { code: ok ? EXIT_OK : EXIT_FAILED, data: { ok, keys: infos.map(publicJson), matches, problems } }
}

async function convert(ctx: Ctx): Promise<Result> {
  const file = ctx.positionals[1]
  if (!file || ctx.positionals.length > 2) throw new UsageError('give exactly one key file to convert')
  const info = inspectKey(file, readText(file, 'key file'))
  const wantPublic = ctx.values.public === true
  const fmt = ctx.str('format') ?? 'pem'
  if (fmt !== 'pem' && fmt !== 'base64') throw new UsageError(`--format must be pem or base64, got ${JSON.stringify(fmt)}`)
  const fatal = info.problems.filter((p) => !/RSA \d+ bits|expired/.test(p))
  if ((!info.privateKey && !info.publicKey) || fatal.length > 0) {
    throw new CliError('ERR_KEY_FORMAT', `${file}: cannot convert: ${fatal[0] ?? 'not a key'}`, ['`alipay-f2f keys check ' + file + '` for details'])
  }
  let to = ctx.str('to')
  let text: string
  let isPrivate = false
  if (info.privateKey && !wantPublic) {
    to ??= 'pkcs8'
    if (to !== 'pkcs8' && to !== 'pkcs1') {
      throw new UsageError(`a private key converts to --to pkcs8 or pkcs1, got ${JSON.stringify(to)} (--public exports its public key)`)
    }
    if (to === 'pkcs1' && info.algorithm !== 'rsa') throw new UsageError('PKCS#1 holds RSA keys only')
    isPrivate = true
    text = info.privateKey.export({ type: to, format: 'pem' }) as string
  } else {
    const pub = info.publicKey!
    to ??= 'spki'
    if (to !== 'spki' && to !== 'pkcs1') throw new UsageError(`a public key converts to --to spki or pkcs1, got ${JSON.stringify(to)}`)
    if (to === 'pkcs1' && info.algorithm !== 'rsa') throw new UsageError('PKCS#1 holds RSA keys only')
    text = pub.export({ type: to, format: 'pem' }) as string
  }
  if (fmt === 'base64') text = `${text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')}\n`
  const outFile = ctx.str('out')
  const kind = isPrivate ? `private key ${to === 'pkcs8' ? 'PKCS#8' : 'PKCS#1'}` : `public key ${to === 'spki' ? 'SPKI' : 'PKCS#1'}`
  const desc = `${kind}, ${fmt === 'pem' ? 'PEM' : 'bare base64'}`
  if (outFile) {
    writeFileAtomic(outFile, text, { mode: isPrivate ? 0o600 : 0o644, force: ctx.values.force === true })
    ctx.say(`wrote ${outFile}: ${desc}`)
  } else if (!ctx.json) {
    out(text)
  }
  return { code: EXIT_OK, data: { ok: true, from: { kind: info.kind, format: info.format, encoding: info.encoding }, to: desc, out: outFile ?? null, ...(outFile ? {} : { text }) } }
}

const USAGE = [
  'keys check FILE... [--private-key FILE] [--app-public-key FILE] [--alipay-public-key FILE] [--config FILE] [--json]',
  'keys convert FILE [--to pkcs8|pkcs1|spki] [--format pem|base64] [--public] [--out FILE [--force]] [--json]',
]

/** The `keys` command. */
export const command = defineCommand(
  {
    name: 'keys',
    summary: 'check key files (kind, size, PKCS#1/PKCS#8, which keys match) and convert between formats',
    usage: USAGE,
    help: `keys check FILE...
  For each file: private key / public key / certificate, RSA size, PKCS#1 / PKCS#8 / SPKI / X.509,
  PEM or bare base64, whether this SDK accepts it, problems (truncated, wrong label, password-protected,
  too small, not RSA). Files that belong together are named (a public key matching a private key is
  the APP public key). Give roles to check a configuration:
    --private-key FILE        the app private key you sign with
    --app-public-key FILE     the app public key you uploaded to the console (must match the private key)
    --alipay-public-key FILE  the key you verify answers with (must NOT be the app public key)
    -c, --config FILE         the privateKey / alipayPublicKey of a gateway config file (see \`alipay-f2f query --help\`)
  Exit 1 when any problem is found.

keys convert FILE
  --to pkcs8|pkcs1          private key format (default pkcs8); public keys: spki (default) or pkcs1
  --public                  output the public key of a private key (the app public key to upload)
  --format pem|base64       PEM (default) or bare one-line base64 (Java / the Alipay console)
  --out FILE                write to FILE atomically (temp file + rename; mode 600 for private keys)
  --force                   overwrite an existing --out file
  Output goes to stdout without --out.

examples:
  alipay-f2f keys check app-private.pem alipay-public.pem
  alipay-f2f keys check --private-key app-private.pem --alipay-public-key alipay-public.pem
  alipay-f2f keys check --config alipay-f2f.json
  alipay-f2f keys convert app-private.pem --to pkcs1 --out app-private-pkcs1.pem
  alipay-f2f keys convert app-private.pem --public --format base64`,
    options: {
      'private-key': { type: 'string', multiple: true },
      'app-public-key': { type: 'string', multiple: true },
      'alipay-public-key': { type: 'string', multiple: true },
      config: { type: 'string', short: 'c' },
      to: { type: 'string' },
      format: { type: 'string' },
      public: { type: 'boolean' },
      out: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
    },
    positionals: { min: 0, max: 100 },
  },
  async (ctx) => {
    const sub = ctx.positionals[0]
    if (sub === 'check') {
      for (const o of ['to', 'format', 'public', 'out', 'force']) if (ctx.values[o] !== undefined) throw new UsageError(`--${o} is an option of "keys convert"`)
      return check(ctx)
    }
    if (sub === 'convert') {
      for (const o of ['private-key', 'app-public-key', 'alipay-public-key', 'config']) if (ctx.values[o] !== undefined) throw new UsageError(`--${o} is an option of "keys check"`)
      return convert(ctx)
    }
    throw new UsageError(sub ? `unknown subcommand ${JSON.stringify(sub)} (check or convert)` : 'missing subcommand: check or convert')
  },
)

