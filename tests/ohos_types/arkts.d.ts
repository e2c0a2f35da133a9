// ArkTS's numeric type names, which the official declaration uses without importing them.
type int = number;
type long = number;
type double = number;
