using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace PgKit.AspNetCore.Transactions;

/// <summary>Adds <see cref="PgScopeResourceFilter"/> and <see cref="PgResultFilter"/> to every MVC application; without MVC the options are never built.</summary>
internal sealed class PgMvcOptionsSetup : IConfigureOptions<MvcOptions>
{
    public void Configure(MvcOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Filters.Add(new PgScopeResourceFilter());
        options.Filters.Add(new PgResultFilter());
    }
}
