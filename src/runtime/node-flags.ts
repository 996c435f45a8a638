/**
 * V8 flags every shipped entry point runs the exporter with (the bin script's shebang, the Docker
 * image, `npm start`), and the benchmark's memory figure too.
 *
 * The exporter's garbage is short-lived (response bodies, rendered lines). With V8's default
 * young generation (16 MB semi-spaces) a busy poll cycle leaves about 40 MB of it committed for
 * a long time afterwards; 2 MB semi-spaces keep resident memory near what is really in use, at
 * the price of more (cheap) scavenges.
 */
export const NODE_FLAGS = ['--max-semi-space-size=2'] as const;
