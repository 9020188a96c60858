// The map: OpenLayers in CGCS2000 (EPSG:4490, registered through proj4 with the 3-degree
// Gauss–Krüger zones), whose basemap is the register's own data — division polygons with their
// names, places by category, signs by status, boundary lines, markers by condition — so it works
// on an intranet without a tile server.
import OlMap from 'ol/Map';
import View from 'ol/View';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import GeoJSON from 'ol/format/GeoJSON';
import { Style, Stroke, Fill, Circle as CircleStyle, Text } from 'ol/style';
import { register } from 'ol/proj/proj4';
import { get as getProjection, transform } from 'ol/proj';
import { defaults as defaultControls, ScaleLine } from 'ol/control';
import Draw from 'ol/interaction/Draw';
import Modify from 'ol/interaction/Modify';
import Snap from 'ol/interaction/Snap';
import type Feature from 'ol/Feature';
import type { Geometry } from 'ol/geom';
import proj4 from 'proj4';

/** The coordinate systems offered: CGCS2000 lon/lat and the 3-degree GK zones, both forms. */
export const SYSTEMS: { code: string; label: string }[] = [{ code: 'EPSG:4490', label: 'CGCS2000 经纬度 (EPSG:4490)' }];
const GK_DEFINITIONS = new Map<string, string>();
for (let i = 0; i <= 20; i++) {
  const cm = 75 + 3 * i;
  const zone = 25 + i;
  GK_DEFINITIONS.set(`EPSG:${4534 + i}`, `+proj=tmerc +lat_0=0 +lon_0=${cm} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs`);
  GK_DEFINITIONS.set(`EPSG:${4513 + i}`, `+proj=tmerc +lat_0=0 +lon_0=${cm} +k=1 +x_0=${zone}500000 +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs`);
  SYSTEMS.push({ code: `EPSG:${4534 + i}`, label: `CGCS2000 3° GK CM ${cm}E (EPSG:${4534 + i})` });
  SYSTEMS.push({ code: `EPSG:${4513 + i}`, label: `CGCS2000 3° GK zone ${zone} (EPSG:${4513 + i})` });
}
proj4.defs('EPSG:4490', '+proj=longlat +ellps=GRS80 +no_defs +type=crs');
// register() links every pair of proj4's definitions: registering the 42 zones up front cost
// hundreds of milliseconds at start, so a zone is defined when it is first chosen.
register(proj4);
const projection = getProjection('EPSG:4490')!;
projection.setExtent([73, 3, 136, 54]);

/** Makes `system` known to OpenLayers (a GK zone is defined on first use). */
function ensureSystem(system: string) {
  if (getProjection(system)) return;
  const definition = GK_DEFINITIONS.get(system);
  if (!definition) throw new Error(`unknown coordinate system ${system}`);
  proj4.defs(system, definition);
  register(proj4);
}

/** A lon/lat position written in `system`: degrees to 6 places, grid metres to 0.01 m. */
export function formatPosition(lonlat: number[], system: string): string {
  if (system === 'EPSG:4490') return `${lonlat[0].toFixed(6)}, ${lonlat[1].toFixed(6)}`;
  ensureSystem(system);
  const [x, y] = transform(lonlat, 'EPSG:4490', system);
  return `X(N) ${y.toFixed(2)}  Y(E) ${x.toFixed(2)}`;
}
/** The GK CM zone a longitude falls in, for a sensible default. */
export function zoneFor(lon: number): string { return `EPSG:${4534 + Math.round((lon - 75) / 3)}`; }

export const CLASS_COLOURS: Record<string, string> = {
  '11': '#1f78b4', '12': '#3a8fd9', '13': '#8c6d31', '21': '#7b3294', '22': '#c2a5cf', '23': '#5e3c99',
  '24': '#d7301f', '25': '#e6550d', '26': '#31a354', '27': '#dd1c77', '28': '#636363', '29': '#252525',
};
export const SIGN_COLOURS: Record<string, string> = { planned: '#9e9e9e', installed: '#2e7d32', damaged: '#f9a825', missing: '#c62828', retired: '#616161' };
export const MARKER_COLOURS: Record<string, string> = { intact: '#2e7d32', tilted: '#fbc02d', damaged: '#f57c00', buried: '#8d6e63', missing: '#c62828', destroyed: '#4a148c', unknown: '#757575' };

export type LayerName = 'divisions' | 'places' | 'signs' | 'boundaries' | 'markers';
const format = new GeoJSON({ dataProjection: 'EPSG:4490', featureProjection: 'EPSG:4490' });
export function readFeatures(geojson: unknown): Feature<Geometry>[] { return format.readFeatures(geojson as any) as Feature<Geometry>[]; }
export function writeGeometry(feature: Feature<Geometry>): any { return format.writeGeometryObject(feature.getGeometry()!); }

const dot = (colour: string, radius = 5) => new Style({ image: new CircleStyle({ radius, fill: new Fill({ color: colour }), stroke: new Stroke({ color: '#fff', width: 1.5 }) }) });
const dotCache = new Map<string, Style>();
function cachedDot(colour: string, radius = 5) { const k = colour + radius; if (!dotCache.has(k)) dotCache.set(k, dot(colour, radius)); return dotCache.get(k)!; }

export interface DimingMap {
  map: OlMap;
  sources: Record<LayerName, VectorSource>;
  layers: Record<LayerName, VectorLayer<VectorSource>>;
  hidden: Set<string>;
  highlight: VectorSource;
  refresh(): void;
}

export function createMap(target: HTMLElement): DimingMap {
  const hidden = new Set<string>();
  const sources = {} as Record<LayerName, VectorSource>;
  const layers = {} as Record<LayerName, VectorLayer<VectorSource>>;
  const divisionStyle = (f: Feature) => new Style({
    stroke: new Stroke({ color: '#6a4c93', width: 1.2 }),
    fill: new Fill({ color: 'rgba(106,76,147,0.05)' }),
    text: new Text({ text: f.get('standard_name'), font: '600 13px "Noto Sans CJK SC", sans-serif', fill: new Fill({ color: '#4a2f73' }), stroke: new Stroke({ color: '#fff', width: 3 }), overflow: true }),
  });
  const make = (name: LayerName, style: any, z: number) => {
    sources[name] = new VectorSource();
    layers[name] = new VectorLayer({ source: sources[name], style, zIndex: z, properties: { name } });
  };
  make('divisions', divisionStyle, 1);
  make('boundaries', new Style({ stroke: new Stroke({ color: '#b71c1c', width: 2.5, lineDash: [10, 4, 2, 4] }) }), 2);
  make('places', (f: Feature, resolution: number) => {
    const cls = String(f.get('category') ?? '').slice(0, 2);
    if (hidden.has(`class:${cls}`)) return null;
    const colour = CLASS_COLOURS[cls] ?? '#444';
    const type = f.getGeometry()?.getType();
    if (type === 'Point') {
      const style = cachedDot(colour, 4).clone();
      if (resolution < 0.002) style.setText(new Text({ text: f.get('standard_name'), offsetY: -12, font: '12px "Noto Sans CJK SC", sans-serif', fill: new Fill({ color: '#222' }), stroke: new Stroke({ color: '#fff', width: 3 }) }));
      return style;
    }
    return new Style({ stroke: new Stroke({ color: colour, width: 2 }), fill: new Fill({ color: colour + '22' }) });
  }, 4);
  make('signs', (f: Feature) => hidden.has(`sign:${f.get('status')}`) ? null : new Style({
    image: new CircleStyle({ radius: 4, fill: new Fill({ color: SIGN_COLOURS[f.get('status')] ?? '#333' }), stroke: new Stroke({ color: '#000', width: 1 }) }),
  }), 5);
  make('markers', (f: Feature) => hidden.has(`marker:${f.get('condition')}`) ? null : cachedDot(MARKER_COLOURS[f.get('condition')] ?? '#757575', 6), 6);
  const highlight = new VectorSource();
  const highlightLayer = new VectorLayer({ source: highlight, zIndex: 10, style: (f: Feature) => {
    const colour = f.get('colour') ?? '#ff6f00';
    return new Style({ stroke: new Stroke({ color: colour, width: 3 }), fill: new Fill({ color: colour + '33' }), image: new CircleStyle({ radius: 8, stroke: new Stroke({ color: colour, width: 3 }), fill: new Fill({ color: colour + '55' }) }) });
  } });
  const map = new OlMap({
    target,
    layers: [layers.divisions, layers.boundaries, layers.places, layers.signs, layers.markers, highlightLayer],
    view: new View({ projection, center: [120.85, 30.85], zoom: 10 }),
    controls: defaultControls({ attributionOptions: { collapsible: true } }).extend([new ScaleLine()]),
  });
  return { map, sources, layers, hidden, highlight, refresh: () => Object.values(layers).forEach((l) => l.changed()) };
}

/** Draws or edits one geometry on `map`, snapping to the register's features; returns a stop. */
export function editGeometry(dm: DimingMap, type: 'Point' | 'LineString' | 'Polygon', initial: any, onChange: (geometry: any) => void): () => void {
  const source = new VectorSource();
  const layer = new VectorLayer({ source, zIndex: 20, style: new Style({ stroke: new Stroke({ color: '#e65100', width: 3 }), fill: new Fill({ color: 'rgba(230,81,0,0.15)' }), image: new CircleStyle({ radius: 7, fill: new Fill({ color: '#e65100' }), stroke: new Stroke({ color: '#fff', width: 2 }) }) }) });
  dm.map.addLayer(layer);
  if (initial) source.addFeatures(readFeatures({ type: 'Feature', geometry: initial, properties: {} }));
  const interactions: any[] = [];
  const modify = new Modify({ source });
  modify.on('modifyend', () => { const f = source.getFeatures()[0]; if (f) onChange(writeGeometry(f)); });
  interactions.push(modify);
  if (!initial) {
    const draw = new Draw({ source, type });
    draw.on('drawend', (e) => { onChange(writeGeometry(e.feature as Feature<Geometry>)); dm.map.removeInteraction(draw); });
    interactions.push(draw);
  }
  for (const s of [source, dm.sources.divisions, dm.sources.places, dm.sources.boundaries]) interactions.push(new Snap({ source: s }));
  interactions.forEach((i) => dm.map.addInteraction(i));
  return () => { interactions.forEach((i) => dm.map.removeInteraction(i)); dm.map.removeLayer(layer); };
}
