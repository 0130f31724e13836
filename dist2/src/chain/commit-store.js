// Pending weight commits, persisted so a validator that restarts between commit and
// reveal can still reveal (the salt exists nowhere else). One small JSON file per
// (netuid, hotkey), written atomically (temp file + rename), mode 0600.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
export function defaultCommitDir() {
    return process.env.GRADMESH_COMMIT_DIR ?? join(homedir(), '.gradmesh', 'weight-commits');
}
export class CommitStore {
    file;
    constructor(dir, netuid, hotkey, scope) {
        this.file = join(dir, `${scope}-netuid${netuid}-${hotkey}.json`);
    }
    load() {
        if (!existsSync(this.file))
            return [];
        try {
            const v = JSON.parse(readFileSync(this.file, 'utf8'));
            return Array.isArray(v) ? v : [];
        }
        catch {
            return []; // a torn or foreign file cannot be revealed anyway
        }
    }
    save(commits) {
        mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
        const tmp = `${this.file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(commits), { mode: 0o600 });
        renameSync(tmp, this.file);
    }
    add(c) {
        this.save([...this.load(), c]);
    }
}
//# sourceMappingURL=commit-store.js.map