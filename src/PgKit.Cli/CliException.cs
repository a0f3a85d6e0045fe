namespace PgKit.Cli;

/// <summary>A failure the tool reports as one sentence, with the exit code it maps to.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failed, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
