/**
 * tariff_retail_import: a retail tariff (destination groups with time-banded prices) from MOR's XML.
 * The XML is parsed with DOCTYPE and entities refused; rates that are invalid or that collide in time
 * are dropped and reported, the rest are merged into the tariff (bands of the same time range and day
 * type replace the stored ones).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { listingOwnerId } from '../pipeline/access.js';
import { MorError } from '../pipeline/errors.js';
import { parseMicros, isStorableAmount, storeMicros } from '../money.js';
import type { XmlNode } from '../xml.js';
import { batchGetItems } from '../db/items.js';
import {
  TariffNameTakenError, createTariff, getTariff, retailGroupsOf, putRetailGroups, tariffKeys, tariffNamed,
  type RetailBand, type TariffRecord,
} from './tariffs.js';
import type { UserRecord } from './users.js';

const parser = new XMLParser({ parseTagValue: false, trimValues: true, processEntities: false, ignoreAttributes: true, isArray: (name) => ['destination', 'rates'].includes(name) });

type Raw = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

function parseDocument(xml: string): Raw {
  if (!xml) throw new MorError('No XML');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || XMLValidator.validate(xml) !== true) throw new MorError('Bad XML data');
  const tariff = (parser.parse(xml) as Raw).tariff;
  if (!tariff || typeof tariff !== 'object') throw new MorError('File does not exist');
  return tariff as Raw;
}

async function resolveTariff(caller: UserRecord, name: string, idText: string): Promise<TariffRecord> {
  const ownerId = listingOwnerId(caller);
  const existing = /^[0-9]{1,15}$/.test(idText) ? await getTariff(Number(idText)) : undefined;
  if (existing) {
    if (existing.ownerId !== ownerId && caller.usertype !== 'admin') throw new MorError('Tariff belongs to other user!');
    if (existing.name !== name) throw new MorError(`TARIFF NAME WITH THIS ID DO NOT MATCH !!!FOUND ${existing.name}`);
    return existing;
  }
  const holder = await tariffNamed(name);
  if (holder) {
    if (holder.ownerId === ownerId || caller.usertype === 'admin') throw new MorError(`TARIFF with same name exists, ID:${holder.tariffId}!!! CHANGE NAME OR ID`);
    throw new MorError('TARIFF with same name exists, it belongs to other user! CHANGE NAME OR ID');
  }
  try {
    return await createTariff({ name, purpose: 'user', currency: caller.currency || 'USD', ownerId });
  } catch (error) {
    if (error instanceof TariffNameTakenError) throw new MorError('TARIFF with same name exists, it belongs to other user! CHANGE NAME OR ID');
    throw error;
  }
}

const TIME = /^[0-9:]{8}$/;
interface RawRate { price: string; roundBy: string; type: string; start: string; end: string; duration: string; dayType: string }

const readRate = (r: Raw): RawRate => ({
  price: text(r.rate_price), roundBy: text(r.rate_round_by), type: text(r.rate_type), start: text(r.rate_start_time),
  end: text(r.rate_end_time), duration: text(r.rate_duration), dayType: text(r.day_type),
});

const validRate = (r: RawRate) =>
  isStorableAmount(r.price) && /^[0-9]+$/.test(r.roundBy) && (r.type === 'minute' || r.type === 'event') &&
  TIME.test(r.start) && TIME.test(r.end) && ['', 'WD', 'FD'].includes(r.dayType) && /^-?[0-9]+(\.[0-9]+)?$/.test(r.duration);

const overlaps = (a: { startTime: string; endTime: string }, b: { startTime: string; endTime: string }) =>
  a.startTime <= b.endTime && b.startTime <= a.endTime;
const sameRange = (a: RetailBand, b: RetailBand) => a.startTime === b.startTime && a.endTime === b.endTime && a.daytype === b.daytype;

/** Bands of one time range in order, with `from` computed from the durations before them; -1 ends the range. */
function bandsOf(rates: RawRate[]): RetailBand[] {
  const out: RetailBand[] = [];
  const nextFrom = new Map<string, number>();
  for (const r of rates) {
    const range = `${r.dayType}|${r.start}|${r.end}`;
    const from = nextFrom.get(range) ?? 1;
    if (from === Infinity) continue;
    const duration = Number(r.duration);
    out.push({ priceMicros: storeMicros(parseMicros(r.price)), roundBy: Number(r.roundBy), type: r.type as RetailBand['type'], startTime: r.start, endTime: r.end, duration, daytype: r.dayType as RetailBand['daytype'], from });
    nextFrom.set(range, duration === -1 ? Infinity : from + duration);
  }
  return out;
}

/** A report list: `<destination>` entries, or an empty element. */
const section = (entries: XmlNode[]): XmlNode | '' => (entries.length ? { destination: entries.map((e) => e.destination) } : '');

export async function retailImport(caller: UserRecord, xml: string): Promise<XmlNode> {
  const document = parseDocument(xml);
  const name = text(document.name);
  const idText = text(document.id);
  if (!name) throw new MorError('No tariff name');
  if (!idText) throw new MorError('No tariff id');
  const tariff = await resolveTariff(caller, name, idText);
  const destinations = ((document.destinations as Raw | undefined)?.destination ?? []) as Raw[];
  if (destinations.length === 0) return { response: { tariff_id: tariff.id, tariff_name: tariff.name, error: 'No destinations!' } };

  const groupNames = [...new Set(destinations.map((d) => text(d.destination_group_name)))];
  const known = new Set((await batchGetItems(groupNames.filter(Boolean).map(tariffKeys.destinationGroup))).map((g) => String(g.name)));
  const stored = new Map((await retailGroupsOf(tariff.id)).map((g) => [g.group, g.bands]));
  const report = { bad: [] as XmlNode[], dayType: [] as XmlNode[], badRates: [] as XmlNode[], inXml: [] as XmlNode[], inDb: [] as XmlNode[] };
  const writes: { group: string; bands: RetailBand[] }[] = [];

  for (const destination of destinations) {
    const group = text(destination.destination_group_name);
    if (!known.has(group)) {
      report.bad.push({ destination: { destination_group_name: group } });
      continue;
    }
    const rates = ((destination.rates ?? []) as Raw[]).map(readRate);
    for (const r of rates.filter((rate) => !validRate(rate))) {
      report.badRates.push({ destination: { destination_group_name: group, rate_price: r.price, rate_round_by: r.roundBy, rate_duration: r.duration, rate_type: r.type, rate_start_time: r.start, rate_end_time: r.end, day_type: r.dayType } });
    }
    const valid = rates.filter(validRate);
    const dayTypes = new Set(valid.map((r) => r.dayType));
    if (dayTypes.has('') && dayTypes.size > 1) {
      report.dayType.push({ destination: { destination_group_name: group } });
      continue;
    }
    const bands = bandsOf(valid);
    const collides = (a: RetailBand, b: RetailBand) => a.daytype === b.daytype && !sameRange(a, b) && overlaps(a, b);
    const clean = bands.filter((band) => {
      if (!bands.some((other) => collides(band, other))) return true;
      report.inXml.push({ destination: { collision_in_time_range: `${group} COLLISION IN ${band.startTime} AND ${band.endTime} TIME RANGE ` } });
      return false;
    });
    const existing = stored.get(group) ?? [];
    const accepted = clean.filter((band) => {
      if (!existing.some((old) => collides(band, old))) return true;
      report.inDb.push({ destination: { collision_in_time_range: `${group} COLLISION WITH EXISTING RATES IN ${band.startTime} AND ${band.endTime} TIME RANGE` } });
      return false;
    });
    if (accepted.length === 0) continue;
    const kept = existing.filter((old) => !accepted.some((band) => sameRange(band, old)));
    writes.push({ group, bands: [...kept, ...accepted] });
  }
  await putRetailGroups(tariff.id, writes);
  return {
    response: {
      tariff_id: tariff.id,
      tariff_name: tariff.name,
      bad_destinations: section(report.bad),
      destination_with_day_type_collision: section(report.dayType),
      destination_with_bad_rates: section(report.badRates),
      destination_with_time_collisions_in_xml: section(report.inXml),
      destination_with_time_collisions_in_db: section(report.inDb),
    },
  };
}
