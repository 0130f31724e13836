import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpsMetrics } from '../../src/ops/metrics.js';
import { sampleStatus } from './sample-status.js';
/** Parses Prometheus text into "name{labels}" → value. */
function samples(text) {
    const m = new Map();
    for (const line of text.split('\n')) {
        if (!line || line.startsWith('#'))
            continue;
        const i = line.lastIndexOf(' ');
        m.set(line.slice(0, i), Number(line.slice(i + 1)));
    }
    return m;
}
test('every metric is read from the status snapshot taken at scrape time', async () => {
    let status = sampleStatus({ role: 'validator', uid: 0, window: 5 });
    const metrics = new OpsMetrics(() => status, { processMetrics: false });
    const a = samples(await metrics.render());
    assert.equal(a.get('gradmesh_window{role="validator"}'), 5);
    assert.equal(a.get('gradmesh_chain_block{role="validator"}'), 21);
    assert.equal(a.get('gradmesh_window_progress_ratio{role="validator"}'), 0.25);
    assert.equal(a.get('gradmesh_eval_loss{role="validator"}'), 10.5 - 4 * 0.4);
    assert.equal(a.get('gradmesh_eval_loss_window{role="validator"}'), 4);
    assert.equal(a.get('gradmesh_train_loss{role="validator"}'), undefined, 'a validator that trains nothing reports no train loss');
    assert.equal(a.get('gradmesh_peers{role="validator"}'), 1);
    assert.equal(a.get('gradmesh_peers{role="miner"}'), 1);
    assert.equal(a.get('gradmesh_peers{role="unregistered"}'), 1);
    assert.equal(a.get('gradmesh_p2p_bytes_total{direction="in",topic="blob"}'), 65536 * 5);
    assert.equal(a.get('gradmesh_p2p_bytes_total{direction="out",topic="grad"}'), 1024 * 5);
    assert.equal(a.get('gradmesh_p2p_fetch_failures_total{role="validator"}'), 1);
    assert.equal(a.get('gradmesh_p2p_dht_walks_total{role="validator"}'), 3);
    assert.equal(a.get('gradmesh_gossip_peer_score{peer_id="12D3KooWMiner3xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",uid="3"}'), -3.25);
    assert.equal(a.get('gradmesh_p2p_rejected_messages_total{reason="invalid"}'), 2);
    assert.equal(a.get('gradmesh_theta_peers{state="agreeing"}'), 2);
    assert.equal(a.get('gradmesh_theta_peers{state="elsewhere"}'), 1);
    assert.equal(a.get('gradmesh_chain_stake{role="validator"}'), 1000);
    assert.equal(a.get('gradmesh_chain_weights_set_block{role="validator"}'), 16);
    assert.equal(a.get('gradmesh_miner_score{uid="2"}'), 0.75);
    assert.equal(a.get('gradmesh_miner_weight{uid="3"}'), 0.4);
    assert.equal(a.get('gradmesh_theta_in_sync{role="validator"}'), 1);
    assert.equal(a.get('gradmesh_manifest_head_window{role="validator"}'), 3);
    assert.equal(a.get('gradmesh_manifests_applied_total{role="validator"}'), 4);
    assert.equal(a.get('gradmesh_manifests_missed{role="validator"}'), 0);
    assert.equal(a.get('gradmesh_manifests_rejected_total{reason="out_of_turn"}'), 3);
    assert.equal(a.get('gradmesh_manifests_rejected_total{reason="not_a_speaker"}'), 1);
    assert.equal(a.get('gradmesh_manifests_superseded_total{role="validator"}'), 1);
    assert.equal(a.get('gradmesh_manifest_comparisons_total{agree="true"}'), 3);
    assert.equal(a.get('gradmesh_manifest_comparisons_total{agree="false"}'), 2);
    assert.equal(a.get('gradmesh_event_loop_delay_seconds{role="validator",quantile="0.99"}'), 0.01225);
    assert.equal(a.get('gradmesh_event_loop_delay_seconds{role="validator",quantile="1"}'), 0.0415);
    assert.equal(a.get('gradmesh_event_loop_delay_mean_seconds{role="validator"}'), 0.0105);
    assert.equal(a.get('gradmesh_event_loop_delay_max_since_start_seconds{role="validator"}'), 0.18);
    assert.equal(a.get('gradmesh_node_info{role="validator",uid="0",peer_id="12D3KooWPeer0xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",run="testnet-tiny",run_hash="abababababababab"}'), 1);
    // The next scrape sees the new figures, with no stale series left behind.
    status = { ...sampleStatus({ role: 'miner', uid: 2, window: 9 }), inSync: false, manifestsMissed: 2, peers: [] };
    const b = samples(await metrics.render());
    assert.equal(b.get('gradmesh_window{role="miner"}'), 9);
    assert.equal(b.get('gradmesh_train_loss{role="miner"}'), 10 - 8 * 0.5 - 0.02);
    assert.equal(b.get('gradmesh_tokens_per_second{role="miner"}'), 1234.5);
    assert.equal(b.get('gradmesh_inner_steps_total{role="miner"}'), 90);
    assert.equal(b.get('gradmesh_theta_in_sync{role="miner"}'), 0);
    assert.equal(b.get('gradmesh_manifests_missed{role="miner"}'), 2);
    assert.equal(b.get('gradmesh_peers{role="validator"}'), 0);
    assert.equal(b.get('gradmesh_miner_score{uid="2"}'), undefined);
    assert.equal([...b.keys()].filter((k) => k.startsWith('gradmesh_gossip_peer_score')).length, 0);
    assert.equal(b.get('gradmesh_chain_weights_set_block{role="miner"}'), undefined);
    assert.equal(b.get('gradmesh_theta_peers{state="agreeing"}'), undefined, 'no status gossip, no series');
    status = { ...sampleStatus({ role: 'miner', uid: 2, window: 10 }), eventLoop: undefined };
    const c = samples(await metrics.render());
    assert.equal([...c.keys()].filter((k) => k.startsWith('gradmesh_event_loop_delay')).length, 0, 'no monitor, no event-loop series');
});
test('two nodes in one process keep separate registries', async () => {
    const m1 = new OpsMetrics(() => sampleStatus({ window: 3 }), { processMetrics: false });
    const m2 = new OpsMetrics(() => sampleStatus({ window: 7 }));
    assert.equal(samples(await m1.render()).get('gradmesh_window{role="miner"}'), 3);
    const t2 = samples(await m2.render());
    assert.equal(t2.get('gradmesh_window{role="miner"}'), 7);
    assert.ok([...t2.keys()].some((k) => k.startsWith('gradmesh_process_')), 'process metrics carry the gradmesh_ prefix');
});
test('concurrent scrapes each render their own snapshot', async () => {
    let n = 0;
    const metrics = new OpsMetrics(async () => {
        const w = ++n;
        await new Promise((r) => setTimeout(r, w === 1 ? 20 : 0));
        return sampleStatus({ window: w * 10 });
    }, { processMetrics: false });
    const [a, b] = await Promise.all([metrics.render(), metrics.render()]);
    assert.equal(samples(a).get('gradmesh_window{role="miner"}'), 10);
    assert.equal(samples(b).get('gradmesh_window{role="miner"}'), 20);
});
//# sourceMappingURL=metrics.test.js.map