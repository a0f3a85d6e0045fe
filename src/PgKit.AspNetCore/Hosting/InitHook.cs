using Npgsql;

namespace PgKit.AspNetCore.Hosting;

/// <summary>A startup hook registered with <see cref="IPostgresBuilder.OnInit"/>.</summary>
internal sealed record InitHook(string Name, Func<NpgsqlConnection, CancellationToken, Task> Callback)
{
    public static string Describe(Delegate callback)
    {
        var method = callback.Method;
        var type = method.DeclaringType;
        // Compiler-generated closures (<>c, <>c__DisplayClass) say little; name the type that declared the lambda instead.
        while (type is not null && type.Name.StartsWith('<') && type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type is null ? method.Name : $"{type.Name}.{method.Name}";
    }
}
