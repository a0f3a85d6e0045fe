using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace PgKit.Tests;

/// <summary>
/// Every public helper that maps rows or column maps by reflection carries both marks, so a trimmed or native AOT app
/// gets a build warning at the call; the reflection-free ones (the RowReader overloads, scalar reads, plain SQL) carry none.
/// </summary>
public sealed class AotAnnotationTests
{
    // The helpers that need no reflection: values go as arguments, and rows are read by a RowReader<T> or as one scalar.
    private static readonly HashSet<string> Unmarked = new(StringComparer.Ordinal)
    {
        "FetchValueAsync", "FetchJsonAsync", "ExecuteSqlAsync", "ExecuteFileAsync",
        "CountAsync(condition)", "ExistsAsync(condition)",
        "FetchAsync(reader)", "FetchRowAsync(reader)", "FetchStreamAsync(reader)",
    };

    public static TheoryData<string> Helpers()
    {
        var data = new TheoryData<string>();
        foreach (var method in HelperMethods())
        {
            data.Add(Describe(method));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Helpers))]
    public void A_helper_is_marked_exactly_when_it_maps_by_reflection(string helper)
    {
        var methods = HelperMethods().Where(m => Describe(m) == helper).ToList();
        Assert.NotEmpty(methods);
        var key = helper[(helper.IndexOf('.', StringComparison.Ordinal) + 1)..];
        foreach (var method in methods)
        {
            var unreferenced = method.GetCustomAttribute<RequiresUnreferencedCodeAttribute>();
            var dynamic = method.GetCustomAttribute<RequiresDynamicCodeAttribute>();
            if (Unmarked.Contains(key))
            {
                Assert.True(unreferenced is null && dynamic is null, $"{helper} needs no reflection but is marked.");
            }
            else
            {
                Assert.True(unreferenced is not null && dynamic is not null, $"{helper} maps by reflection but lacks [RequiresUnreferencedCode]/[RequiresDynamicCode].");
                Assert.Contains("RowReader<T>", unreferenced.Message, StringComparison.Ordinal);
                Assert.Contains("RowReader<T>", dynamic.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Table_is_marked_as_a_whole()
    {
        Assert.NotNull(typeof(Table<,>).GetCustomAttribute<RequiresUnreferencedCodeAttribute>());
        Assert.NotNull(typeof(Table<,>).GetCustomAttribute<RequiresDynamicCodeAttribute>());
    }

    [Fact]
    public void The_seam_for_generated_readers_is_unmarked()
    {
        Assert.Null(typeof(RowReader<>).GetCustomAttribute<RequiresUnreferencedCodeAttribute>());
        Assert.Null(typeof(RowReaders).GetMethod(nameof(RowReaders.Register))!.GetCustomAttribute<RequiresUnreferencedCodeAttribute>());
        Assert.Null(typeof(RowReaders).GetMethod(nameof(RowReaders.Register))!.GetCustomAttribute<RequiresDynamicCodeAttribute>());
    }

    private static IEnumerable<MethodInfo> HelperMethods() =>
        new[] { typeof(PgConnectionExtensions), typeof(PgSessionExtensions) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute), false));

    // "Receiver.Name", with the overload told apart where the marks differ: a RowReader argument, or a raw condition
    // (Count/Exists by condition read a number; by where-map they reflect over the map).
    private static string Describe(MethodInfo method)
    {
        var parameters = method.GetParameters();
        var suffix = parameters.Any(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(RowReader<>)) ? "(reader)"
            : method.Name is "CountAsync" or "ExistsAsync" && parameters.Any(p => p.Name == "condition") ? "(condition)"
            : "";
        return method.DeclaringType!.Name + "." + method.Name + suffix;
    }
}
