using Microsoft.Extensions.Logging;

namespace PgKit.Cli;

/// <summary>
/// Prints the migrator's progress as it happens (so what was applied before a failure is shown too): applied and
/// rolled-back migrations, and the notes about other migrators and out-of-order runs.
/// </summary>
internal sealed class ProgressLogger(TextWriter output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        string? Value(string key) => values.FirstOrDefault(p => p.Key == key).Value?.ToString();
        var line = eventId.Id switch
        {
            1004 => $"Applied {Value("FileName")} ({Value("ElapsedMs")} ms)",
            1006 => $"Rolled back {Value("FileName")} ({Value("ElapsedMs")} ms)",
            1007 or 1009 or 1010 => formatter(state, exception),
            _ => null,
        };
        if (line is not null)
        {
            output.WriteLine(line);
        }
    }
}
