using Spectre.Console;

namespace PgKit.Cli;

/// <summary>What a command may touch: the working folder, the environment, and the two output streams.</summary>
internal sealed class CliContext
{
    public CliContext(string workingDirectory, Func<string, string?> getVariable, TextWriter output, TextWriter error)
    {
        WorkingDirectory = workingDirectory;
        GetVariable = getVariable;
        Output = output;
        Error = error;
        var isConsole = ReferenceEquals(output, System.Console.Out);
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isConsole ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isConsole ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!isConsole)
        {
            Console.Profile.Width = 160;
        }
    }

    public string WorkingDirectory { get; }

    public Func<string, string?> GetVariable { get; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>Tables and colours, written to <see cref="Output"/>.</summary>
    public IAnsiConsole Console { get; }

    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(WorkingDirectory, path));
}
