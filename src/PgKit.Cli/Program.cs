using System.CommandLine;

// The pgkit tool. Commands arrive with the migrations and embedded-server issues; this root keeps the
// tool installable and self-describing from day one.
var root = new RootCommand("pgkit: migrations and the embedded PostgreSQL server for PgKit apps.");
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
