// A minimal async mutex: the replica's model buffer is touched by training and by
// manifest application, which must never interleave.
export class Mutex {
    tail = Promise.resolve();
    async run(fn) {
        const prev = this.tail;
        let release;
        this.tail = new Promise((r) => (release = r));
        await prev;
        try {
            return await fn();
        }
        finally {
            release();
        }
    }
}
//# sourceMappingURL=mutex.js.map