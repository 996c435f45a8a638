import type { AccountFleet } from '../domain/fleet.js';
import { FLEET_FAMILIES, openServerLabels, type FleetFamily } from './fleet-families.js';
import { familyHeader, flat } from './text.js';

interface Rendered {
  /** One text per family, in the order of `#families`. */
  readonly texts: readonly string[];
}

/**
 * The discovered servers' families, served after the per-export ones. Each account's lines are rendered when its
 * round ends; a scrape takes the same Buffers until the next round changes them (so cached gzip segments stay
 * valid). Families left out (allow/deny lists) are never rendered.
 */
export class FleetExposition {
  readonly #families: readonly FleetFamily[];
  readonly #headers: readonly string[];
  readonly #accounts = new Map<string, Rendered>();
  #chunks: Buffer[] | undefined = [];

  constructor(include: (family: string) => boolean = () => true) {
    this.#families = FLEET_FAMILIES.filter((f) => include(f.name));
    this.#headers = this.#families.map((f) => familyHeader(f.name, f.help, f.type));
  }

  fleetChanged(fleet: AccountFleet): void {
    const open = new Map<string, string>();
    const texts = this.#families.map((family) => {
      if (family.scope === 'account') return family.render(fleet);
      const pieces: string[] = [];
      for (const s of fleet.servers.values()) {
        let labels = open.get(s.server.id);
        if (labels === undefined) open.set(s.server.id, (labels = openServerLabels(fleet.account, s)));
        pieces.push(family.render(s, labels));
      }
      return flat(pieces);
    });
    this.#accounts.set(fleet.account, { texts });
    this.#chunks = undefined;
  }

  fleetRemoved(account: string): void {
    if (this.#accounts.delete(account)) this.#chunks = undefined;
  }

  /** One Buffer per family: its header and every account's lines; none while no account discovers servers. */
  chunks(): readonly Buffer[] {
    if (this.#chunks !== undefined) return this.#chunks;
    const out: Buffer[] = [];
    if (this.#accounts.size > 0) {
      this.#families.forEach((_f, i) => {
        const pieces = [this.#headers[i]!];
        for (const r of this.#accounts.values()) pieces.push(r.texts[i]!);
        out.push(Buffer.from(flat(pieces)));
      });
    }
    this.#chunks = out;
    return out;
  }
}
