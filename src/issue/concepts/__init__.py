"""The concept index: vocabulary (concepts.toml), matching, the index model, I4xx rules, suggestions, exports."""
