"""From a question to a cited answer: the question's facts, evidence checks, the extractive composer."""
