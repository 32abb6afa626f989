"""Finding passages: the retriever interface, FAISS+BM25 and Milvus backends, routing by place and year."""
