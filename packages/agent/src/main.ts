import { open } from "lmdb";
const db = open({ path: process.argv[2] ?? "/tmp/lt/db" });
await db.put("k", { a: 1 });
console.log("ok", db.get("k"), require.resolve ? "" : "");
