/**
 * `scaleout cert`: the MakeCert/certmgr steps of SSIS Scale Out setup as one command — create the
 * master's server certificate or a worker's client certificate into a store, install a .cer into
 * a store (to trust it), list stores with SHA-1 thumbprints, and export a certificate.
 */
import { readFileSync } from 'node:fs';
import type { Command, CommandIo } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable, ParsedCommandLine as ParsedArgs } from '../options.ts';
import { defaultPaths } from '../../../config/default-paths.ts';
import { StoreLocations, StoreNames } from '../../../config/worker-settings.ts';
import type { StoreLocation, StoreName } from '../../../config/worker-settings.ts';
import { CertStore, tlsError } from '../../tls/cert-store.ts';
import type { StoreRef, StoredCertificate } from '../../tls/cert-store.ts';
import { createMasterCertificate, createWorkerCertificate } from '../../tls/certificates.ts';

const OPTIONS: OptionTable = [
  { name: 'store', type: 'string', value: '<root>', help: 'the certificate store root (default $XDG_STATE_HOME/scaleout/certs)' },
  { name: 'name', type: 'string', multiple: true, value: '<host|store>', help: 'create-*: a host name or IP address for the certificate (repeatable);\ninstall/list/export: the store name (My, Root…)' },
  { name: 'ip', type: 'string', multiple: true, value: '<addr>', help: 'create-master: an IP address for the certificate (repeatable)' },
  { name: 'days', type: 'string', value: '<N>', help: 'create-*: validity in days' },
  { name: 'location', type: 'string', value: '<location>', help: 'the store location (LocalMachine, CurrentUser)' },
  { name: 'key', type: 'string', value: '<file.key>', help: 'install: the private key that goes with the certificate' },
];

const usage = usageText(`usage:
  scaleout cert create-master [--store <root>] [--name <host>]... [--ip <addr>]... [--days N]
      Server certificate for the master (CN = first name; SAN = every name and IP; default: this
      machine's name, localhost and its addresses), with its key, into LocalMachine/Root.
  scaleout cert create-worker [--store <root>] [--name <host>] [--days N]
      Client certificate for a worker (CN = machine name), with its key, into LocalMachine/My.
  scaleout cert install <file.cer> [--store <root>] [--location LocalMachine] [--name Root] [--key <file.key>]
      Trust a certificate (PEM or DER): the worker's on the master, the master's on a worker.
  scaleout cert list [--store <root>] [--location <location>] [--name <store>]
  scaleout cert export <thumbprint> <file.cer> [--store <root>] [--location <location>] [--name <store>]

  --store defaults to $XDG_STATE_HOME/scaleout/certs (CertificateStoreRoot in the settings files).
  Stores are folders <root>/<location>/<name>/ with <THUMBPRINT>.cer and, for own certificates, .key.`, '', OPTIONS);

function store(args: ParsedArgs, io: CommandIo): CertStore {
  return new CertStore(args.string('store') ?? defaultPaths(io.env).certificateStoreRoot);
}

function location(args: ParsedArgs, fallback: StoreLocation): StoreLocation {
  const v = args.string('location') ?? fallback;
  const found = StoreLocations.find((l) => l.toLowerCase() === v.toLowerCase());
  if (!found) throw new UsageError(`--location must be one of ${StoreLocations.join(', ')}, got '${v}'`);
  return found;
}

function storeName(v: string | undefined, fallback: StoreName): StoreName {
  const name = v ?? fallback;
  const found = StoreNames.find((n) => n.toLowerCase() === name.toLowerCase());
  if (!found) throw new UsageError(`--name must be one of ${StoreNames.join(', ')}, got '${name}'`);
  return found;
}

function days(args: ParsedArgs): number | undefined {
  const v = args.string('days');
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--days must be a whole number of days ≥ 1, got '${v}'`);
  return Number(v);
}

function describe(c: StoredCertificate): string {
  return `${c.thumbprint}  ${c.subject}  ${c.location}/${c.name}${c.hasPrivateKey ? ' (with private key)' : ''}`;
}

function table(certs: readonly StoredCertificate[]): string {
  const rows = [['THUMBPRINT (SHA-1)', 'SUBJECT', 'STORE', 'KEY', 'NOT AFTER', 'NAMES'],
    ...certs.map((c) => [c.thumbprint, c.subject, `${c.location}/${c.name}`, c.hasPrivateKey ? 'yes' : 'no', c.notAfter.toISOString().slice(0, 10), c.subjectAltNames.join(', ')])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function noExtra(args: ParsedArgs, count: number): void {
  if (args.positionals.length > count) throw new UsageError(`unexpected argument '${args.positionals[count]}'`);
}

export const command: Command = {
  name: 'cert',
  summary: 'create, install, list and export master and worker certificates',
  usage,
  options: OPTIONS,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const args = parseCommandLine(rest, OPTIONS);
    switch (sub) {
      case 'create-master': {
        noExtra(args, 0);
        const names = args.has('name') ? args.strings('name') : undefined;
        const ips = args.has('ip') ? args.strings('ip') : undefined;
        const d = days(args);
        const created = createMasterCertificate({ ...(names ? { names } : {}), ...(ips ? { ips } : {}), ...(d ? { days: d } : {}) });
        const ref: StoreRef = { location: location(args, 'LocalMachine'), name: 'Root' };
        const stored = store(args, io).install(created.certPem, ref, created.keyPem);
        io.stdout.write(`created master certificate ${describe(stored)}\n  names: ${stored.subjectAltNames.join(', ')}\n  set SSLCertThumbprint = ${stored.thumbprint} (master) and MasterHttpsCertThumbprint = ${stored.thumbprint} (workers)\n`);
        return 0;
      }
      case 'create-worker': {
        noExtra(args, 0);
        const name = args.string('name');
        const d = days(args);
        const created = createWorkerCertificate({ ...(name ? { name } : {}), ...(d ? { days: d } : {}) });
        const ref: StoreRef = { location: location(args, 'LocalMachine'), name: 'My' };
        const stored = store(args, io).install(created.certPem, ref, created.keyPem);
        io.stdout.write(`created worker certificate ${describe(stored)}\n  set WorkerHttpsCertThumbprint = ${stored.thumbprint}; install its .cer into the master's LocalMachine/Root\n`);
        return 0;
      }
      case 'install': {
        const file = args.positionals[0];
        if (file === undefined) throw new UsageError('install needs a certificate file');
        noExtra(args, 1);
        const keyFile = args.string('key');
        const read = (f: string) => { try { return readFileSync(f); } catch (e) { throw tlsError(`cannot read ${f}: ${(e as Error).message}`, f); } };
        const ref: StoreRef = { location: location(args, 'LocalMachine'), name: storeName(args.string('name'), 'Root') };
        let stored: StoredCertificate;
        try {
          stored = store(args, io).install(read(file), ref, keyFile === undefined ? undefined : read(keyFile).toString('utf8'));
        } catch (e) {
          if ((e as { code?: string }).code === 'SSO_ERR_TLS' && (e as Error).message.startsWith('the certificate to install')) throw tlsError(`${file} is not a valid certificate (PEM or DER)`, file, e);
          throw e;
        }
        io.stdout.write(`installed ${describe(stored)}\n`);
        return 0;
      }
      case 'list': {
        noExtra(args, 0);
        const loc = args.string('location') === undefined ? undefined : location(args, 'LocalMachine');
        const name = args.string('name') === undefined ? undefined : storeName(args.string('name'), 'My');
        const s = store(args, io);
        const certs = s.list({ ...(loc ? { location: loc } : {}), ...(name ? { name } : {}) });
        io.stdout.write(certs.length === 0 ? `no certificates in ${s.root}\n` : table(certs));
        return 0;
      }
      case 'export': {
        const [thumbprint, file] = args.positionals;
        if (thumbprint === undefined || file === undefined) throw new UsageError('export needs a thumbprint and a file');
        noExtra(args, 2);
        const hasRef = args.string('location') !== undefined || args.string('name') !== undefined;
        const ref = hasRef ? { location: location(args, 'LocalMachine'), name: storeName(args.string('name'), 'My') } : undefined;
        const c = store(args, io).export(thumbprint, file, ref);
        // The file gets the certificate only (public); the key never leaves the store.
        io.stdout.write(`exported ${c.thumbprint}  ${c.subject} to ${file}: the certificate only, no private key${c.hasPrivateKey ? ' (the key stays in the store)' : ''}\n`);
        return 0;
      }
      case undefined:
        throw new UsageError('missing subcommand');
      default:
        throw new UsageError(`unknown subcommand '${sub}'`);
    }
  },
};
