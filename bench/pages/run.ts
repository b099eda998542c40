// `bun bench/run.ts pages`: the built-in pages' cost in binary size (size.ts).
import "./size.ts";
