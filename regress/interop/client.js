// Nym's own client (wasm, npm) against gatewayd: register, authenticate,
// claim free bandwidth, send a message to itself and receive it.
//   node client.js NYM_API_URL GATEWAY_ID TEXT [hops] [timeout_s]
// Prints "received: TEXT" and exits 0 when the message comes back.
'use strict';
require('fake-indexeddb/auto');
const WS = require('ws');

// The wasm expects a browser: a WebSocket global whose handlers may
// throw without killing the process (a browser just logs those).
class SafeWS extends WS {
	constructor(...a) {
		super(...a);
		for (const ev of ['open', 'message', 'close', 'error']) {
			Object.defineProperty(this, 'on' + ev, {
				set: (fn) => {
					this.removeAllListeners(ev);
					if (typeof fn !== 'function')
						return;
					this.on(ev, (...args) => {
						try {
							fn(ev === 'message' ?
							    { data: args[0] } : args[0]);
						} catch (e) { /* as a browser */ }
					});
				},
			});
		}
	}
}
SafeWS.prototype.binaryType = 'arraybuffer';
globalThis.WebSocket = SafeWS;
process.on('uncaughtException', (e) => {
	console.error('ignored exception: ' + (e && e.message));
});

const [api, gateway, text, hops, timeout] = process.argv.slice(2);
const wasm = require('@nymproject/nym-client-wasm-node');

async function main() {
	const debug = wasm.noCoverDebug();
	debug.traffic.disable_mix_hops = hops !== 'hops';
	debug.traffic.average_packet_delay_ms = 0;
	debug.acknowledgements.average_ack_delay_ms = 0;
	debug.topology.disable_refreshing = true;
	debug.stats_reporting.enabled = false;
	const config = new wasm.ClientConfig({ id: 'interop-' + process.pid,
	    nymApi: api, debug });
	let done;
	const got = new Promise((r) => { done = r; });
	const onMessage = (raw) => {
		try {
			const m = wasm.decode_payload(raw);
			done(wasm.parse_utf8_string(m.payload));
		} catch (e) {
			console.error('undecodable message: ' + e);
		}
	};
	const client = await wasm.NymClient.newWithConfig(config, onMessage,
	    { preferredGateway: gateway, forceTls: false });
	const self = client.selfAddress();
	console.log('address: ' + self);
	const payload = wasm.encode_payload('text/plain',
	    wasm.utf8_string_to_byte_array(text));
	await client.send_regular_message(payload, self);
	console.log('sent');
	const t = setTimeout(() => {
		console.log('timeout');
		process.exit(2);
	}, (parseInt(timeout) || 60) * 1000);
	const r = await got;
	clearTimeout(t);
	console.log('received: ' + r);
	process.exit(r === text ? 0 : 1);
}
main().catch((e) => {
	console.log('failed: ' + e);
	process.exit(1);
});
