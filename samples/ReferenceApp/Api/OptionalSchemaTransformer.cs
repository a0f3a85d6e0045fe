using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ReferenceApp.Api;

/// <summary>
/// Describes an <see cref="Optional{T}"/> property as what travels on the wire, the schema of <c>T</c> (nullable
/// when <c>T</c> is), instead of the empty schema the exporter gives a type with a custom converter.
/// </summary>
internal sealed class OptionalSchemaTransformer : IOpenApiSchemaTransformer
{
    private readonly NullabilityInfoContext _nullability = new();

    public static bool IsOptional(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>);

    public async Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (!IsOptional(type))
        {
            return;
        }

        var valueType = type.GetGenericArguments()[0];
        var value = await context.GetOrCreateSchemaAsync(Nullable.GetUnderlyingType(valueType) ?? valueType, null, cancellationToken);
        schema.Type = value.Type;
        schema.Format = value.Format;
        schema.Pattern = value.Pattern;
        if (Nullable.GetUnderlyingType(valueType) is not null || IsNullableReference(context.JsonPropertyInfo?.AttributeProvider as PropertyInfo))
        {
            schema.Type |= JsonSchemaType.Null;
        }
    }

    // Optional<string?> and Optional<string> are one runtime type: the property's annotation tells them apart.
    private bool IsNullableReference(PropertyInfo? property)
    {
        if (property is null)
        {
            return false;
        }

        lock (_nullability)
        {
            return _nullability.Create(property).GenericTypeArguments is [{ ReadState: NullabilityState.Nullable }];
        }
    }
}
