/**
 * A minimal authoritative DNS server over UDP for tests: answers A queries from a table, following CNAMEs the way
 * cluster DNS answers for a Knative ExternalName Service (`fn.ns.svc.cluster.local` → `kourier-internal…` → IP).
 * Unknown names get NXDOMAIN. Enough for nginx's resolver; not a general DNS implementation.
 */
import * as dgram from 'dgram';

export interface DnsRecords {
  readonly [name: string]: { readonly cname?: string; readonly a?: string };
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (msg[i] !== 0) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString());
    i += msg[i] + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

function record(name: string, type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2); // IN
  fixed.writeUInt32BE(5, 4); // TTL
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), fixed, rdata]);
}

export function startDns(records: DnsRecords): Promise<{ port: number; queries: string[]; close: () => void }> {
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const { name, end } = readName(msg, 12);
    queries.push(name);
    const answers: Buffer[] = [];
    let current = name;
    for (let hops = 0; hops < 5 && records[current]; hops++) {
      const r = records[current];
      if (r.cname) {
        answers.push(record(current, 5, encodeName(r.cname)));
        current = r.cname;
      } else if (r.a) {
        answers.push(record(current, 1, Buffer.from(r.a.split('.').map(Number))));
        break;
      }
    }
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(answers.length ? 0x8580 : 0x8583, 2); // response, authoritative, RD, RA; NXDOMAIN when empty
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, msg.subarray(12, end + 4), ...answers]), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve({
    port: socket.address().port, queries, close: () => socket.close(),
  })));
}
