namespace PgKit;

/// <summary>
/// Marks a parameter that takes a complete SQL statement (with <c>$1</c>, <c>$2</c>, ... for values), so PgKit's
/// checked SQL (<c>pgkit sql prepare</c> and the analyzer shipped with PgKit) describes the constant strings passed to
/// it and checks them at build time: the statement against the schema, the number and types of the arguments given in
/// the parameter that follows it, and the row type of a generic method against the result's columns.
/// </summary>
/// <remarks>
/// Every SQL-taking helper of PgKit carries it; put it on your own wrappers' SQL parameter to have their calls checked
/// too. Statements built at run time (not compile-time constants) are not checked. See docs/checked-sql.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class PgSqlAttribute : Attribute
{
}
