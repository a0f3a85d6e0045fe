using Npgsql;

namespace PgKit.AspNetCore.Errors;

/// <summary>The PostgreSQL error carried by an exception, whether raw Npgsql or a PgKit typed exception.</summary>
internal readonly record struct PgErrorInfo(string SqlState, string? ConstraintName, string? ColumnName, string? TableName, PostgresException? Postgres);
