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

        // Colour only on a terminal: Spectre.Console's detection looks at TERM, not at whether stdout is redirected, so
        // `pgkit migrate status | less` or a CI log would get escape codes. And NO_COLOR (https://no-color.org)
        // disables it only when non-empty, read through GetVariable like every other setting.
        var colour = isConsole && !System.Console.IsOutputRedirected && string.IsNullOrEmpty(getVariable("NO_COLOR"));
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = colour ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemFor(getVariable) : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!isConsole || System.Console.IsOutputRedirected)
        {
            // Not a terminal: no width to detect, and a wide table is easier to read in a file than a wrapped one.
            Console.Profile.Width = 160;
        }
    }

    public string WorkingDirectory { get; }

    public Func<string, string?> GetVariable { get; }

    /// <summary>The project folder once <see cref="ProjectFolder.Resolve"/> has found it for this run.</summary>
    public string? ProjectDirectory { get; set; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>Tables and colours, written to <see cref="Output"/>.</summary>
    public IAnsiConsole Console { get; }

    // Spectre.Console's detection turns colour off whenever NO_COLOR is defined, even empty, which the convention says
    // must not disable it; so when the variable is defined but empty, pick the colour system from TERM and COLORTERM.
    private static ColorSystemSupport ColorSystemFor(Func<string, string?> getVariable)
    {
        if (Environment.GetEnvironmentVariable("NO_COLOR") is null)
        {
            return ColorSystemSupport.Detect;
        }

        if (getVariable("COLORTERM") is "truecolor" or "24bit")
        {
            return ColorSystemSupport.TrueColor;
        }

        return getVariable("TERM") is { } term && term.EndsWith("256color", StringComparison.Ordinal)
            ? ColorSystemSupport.EightBit
            : ColorSystemSupport.Standard;
    }

    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(WorkingDirectory, path));
}
