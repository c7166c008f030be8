"""The Appeal Body's work on an appeal: roster, panels, declarations, votes."""
