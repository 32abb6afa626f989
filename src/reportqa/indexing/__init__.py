"""The index folder: building it a batch at a time, embedding, keyword and vector stores, safe writes."""
