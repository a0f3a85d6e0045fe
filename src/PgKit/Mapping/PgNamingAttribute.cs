namespace PgKit;

/// <summary>
/// Chooses the naming convention for a type's properties, or, applied to an assembly, for every type declared in it
/// (anonymous types included). Without it PgKit uses <see cref="PgNamingConvention.SnakeCase"/>.
/// </summary>
/// <remarks>
/// PgKit resolves a column name in this order: <see cref="System.ComponentModel.DataAnnotations.Schema.ColumnAttribute"/> on the
/// property, then this attribute on the type, then on the type's assembly, then snake_case. Because the setting lives on
/// types and assemblies there is no mutable global to configure, and the resolved mapping is cached per type.
/// </remarks>
/// <param name="convention">The convention to apply.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Assembly, AllowMultiple = false, Inherited = true)]
public sealed class PgNamingAttribute(PgNamingConvention convention) : Attribute
{
    /// <summary>Gets the convention to apply.</summary>
    public PgNamingConvention Convention { get; } = convention;
}
