"""MediaPipe keypoint extraction from the corpus's videos (or reference keypoint files)."""
