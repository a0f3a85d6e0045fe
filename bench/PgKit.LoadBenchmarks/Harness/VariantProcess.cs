using System.Diagnostics;
using System.Globalization;
using PgKit.LoadBenchmarks.Apps;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>One variant app in a process of its own: this executable re-invoked as <c>serve --variant X</c>.</summary>
internal sealed class VariantProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _control;

    private VariantProcess(string variant, Process process, Uri baseAddress)
    {
        Variant = variant;
        _process = process;
        BaseAddress = baseAddress;
        _control = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Variant { get; }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public HttpClient Control => _control;

    public double CpuSeconds => CpuTime.Self(_process.Id);

    public static async Task<VariantProcess> StartAsync(string variant, string connectionString, Action<string> log)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (string.Equals(Path.GetFileNameWithoutExtension(Environment.ProcessPath), "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(VariantProcess).Assembly.Location); // run as `dotnet PgKit.LoadBenchmarks.dll`
        }

        foreach (var argument in (string[])["serve", "--variant", BenchVariants.AppOf(variant), "--port", "0"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__Postgres"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the variant process.");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"The {variant} app exited before it was ready."));
            }
            else if (e.Data.StartsWith(VariantHost.ReadyPrefix, StringComparison.Ordinal))
            {
                ready.TrySetResult(new Uri(e.Data[VariantHost.ReadyPrefix.Length..]));
            }
            else
            {
                log($"[{variant}] {e.Data}");
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log($"[{variant}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Uri address;
        try
        {
            address = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            KillQuietly(process);
            process.Dispose();
            throw;
        }

        return new VariantProcess(variant, process, address);
    }

    /// <summary>The app's allocated bytes so far (GC.GetTotalAllocatedBytes), from its bench-only endpoint.</summary>
    public async Task<long> AllocatedBytesAsync()
    {
        var text = await _control.GetStringAsync("/_bench/stats");
        return long.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        try
        {
            _process.StandardInput.Close(); // the app stops when its standard input closes
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            KillQuietly(_process);
        }

        _process.Dispose();
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
