// orgs.js - the caller's org forest (GET /api/v1/orgs) with member counts summed over each subtree.
import { defineStore } from 'pinia';
import { orgTree } from '../api/orgs.js';
import { peopleCounts } from '../api/people.js';

/** Walk a forest depth-first, calling fn(node, parent). */
export function walk(nodes, fn, parent = null) {
	for (const n of nodes || []) {
		fn(n, parent);
		walk(n.children, fn, n);
	}
}

export const useOrgsStore = defineStore('orgs', {
	state: () => ({
		tree: [], // OrgTreeNode[] (active orgs)
		direct: {}, // org id → active people directly in it
		loading: false,
		loaded: false,
		error: null,
	}),
	getters: {
		/** id → node */
		byId(s) {
			const m = new Map();
			walk(s.tree, (n) => m.set(n.id, n));
			return m;
		},
		/** id → parent id (null for roots) */
		parentOf(s) {
			const m = new Map();
			walk(s.tree, (n, p) => m.set(n.id, p ? p.id : null));
			return m;
		},
		/** id → people in the whole subtree */
		subtreeCounts(s) {
			const m = new Map();
			const sum = (n) => {
				let c = s.direct[n.id] || 0;
				for (const ch of n.children || []) c += sum(ch);
				m.set(n.id, c);
				return c;
			};
			for (const r of s.tree) sum(r);
			return m;
		},
		/** Flat list in tree order, with depth, for selects. */
		flat(s) {
			const out = [];
			const rec = (nodes, depth) => {
				for (const n of nodes || []) {
					out.push({ id: n.id, name: n.name, depth, kind: n.kind });
					rec(n.children, depth + 1);
				}
			};
			rec(s.tree, 0);
			return out;
		},
	},
	actions: {
		/** Load the tree, and the counts when the user may read people. */
		async load(withCounts) {
			this.loading = true;
			this.error = null;
			try {
				const [tree, counts] = await Promise.all([
					orgTree(),
					withCounts ? peopleCounts().catch(() => ({ items: [] })) : Promise.resolve({ items: [] }),
				]);
				this.tree = tree.items || [];
				const d = {};
				for (const it of counts.items || []) d[it.org_id] = it.count;
				this.direct = d;
				this.loaded = true;
			} catch (e) {
				this.error = e;
			} finally {
				this.loading = false;
			}
		},
		/** Names from the root down to id. */
		pathNames(id) {
			const names = [];
			let cur = this.byId.get(Number(id));
			while (cur) {
				names.unshift(cur.name);
				const p = this.parentOf.get(cur.id);
				cur = p ? this.byId.get(p) : null;
			}
			return names;
		},
		reset() {
			this.tree = [];
			this.direct = {};
			this.loaded = false;
		},
	},
});
